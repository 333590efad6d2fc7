// The edge benchmarks: in-process dispatch, WebSocket RPC latency and throughput, HTTP REST
// req/s; rony-ts against a raw uWebSockets.js echo (the limit), a `ws` equivalent,
// @connectrpc/connect-node and @grpc/grpc-js, all moving the same payload (an int64, a bool and
// a 32-byte string). Load comes from a native client (bench/native/edge-load.c: pipelined
// writes, 64 KiB reads) and h2load, never from Node; the client's CPU is printed beside the
// server's, and a row whose client is near its core's limit is flagged instead of given a ratio.
// All servers stay up; each scenario runs the peers back to back (rony-ts between the raw echo
// and itself with metrics), in reverse order every other round; tables show medians and
// per-round ratios.
// EDGE_BENCH_ROUNDS (3) and EDGE_BENCH_SECONDS (2) trade time for steadier numbers.
import { readFileSync, writeFileSync } from "node:fs";
import { EchoRequest } from "../generated/examples/echo.js";
import { measureDispatch, requestFrame, sampleRequest } from "./edge-dispatch.js";
import { compileClient, h2Load, median, nativeLoad, startTarget, stopTarget, tmp, type LoadResult, type LoadSpec, type Target } from "./edge-harness.js";

const rounds = Number(process.env["EDGE_BENCH_ROUNDS"] ?? 3);
const seconds = Number(process.env["EDGE_BENCH_SECONDS"] ?? 2);
const warmup = 0.5;
const SERVER_CPU = "0";
const OTHER_CPU = "1";

// ---- request bodies, the same payload everywhere ----
const client = compileClient();
const json = JSON.stringify(EchoRequest.toJSON(sampleRequest));
const message = EchoRequest.encode(sampleRequest).finish();
const http1 = (path: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
const grpcFrame = Buffer.alloc(5 + message.length);
grpcFrame.writeUInt32BE(message.length, 1);
Buffer.from(message).copy(grpcFrame, 5);
const files = {
  ws: `${tmp}ws.bin`,
  rest: `${tmp}rest.http`,
  connectJson: `${tmp}connect-json.http`,
  connectProto: `${tmp}connect.bin`,
  grpc: `${tmp}grpc.bin`,
};
writeFileSync(files.ws, requestFrame());
writeFileSync(files.rest, http1("/echo", json));
writeFileSync(files.connectJson, http1("/examples.echo.Echo/Say", json));
writeFileSync(files.connectProto, message);
writeFileSync(files.grpc, grpcFrame);

// ---- what each peer is measured with ----
type Scenario = "latPinned" | "latSplit" | "throughput" | "rest";
const specs: Record<Scenario, LoadSpec> = {
  latPinned: { conns: 1, inflight: 1, seconds, warmup, cpu: SERVER_CPU },
  latSplit: { conns: 1, inflight: 1, seconds, warmup, cpu: OTHER_CPU },
  throughput: { conns: 16, inflight: 32, seconds, warmup, cpu: OTHER_CPU },
  // HTTP/1.1 pipelining: 32 requests written back to back per connection.
  rest: { conns: 16, inflight: 32, seconds, warmup, cpu: OTHER_CPU },
};

/**
 * A client using this much of its core may be what limits the row (BENCHMARKING.md): such a row
 * is flagged and gives no ratio. The native client is held to it on the raw uWS echo.
 */
const CLIENT_BOUND = 0.7;

interface Peer {
  name: string;
  server: string;
  label: { rpc: string; rest: string };
  run(t: Target, s: Scenario): LoadResult;
}

const h2 = (t: Target, path: string) => `http://127.0.0.1:${t.ports[1]}${path}`;
const peers: Peer[] = [
  {
    name: "rony-ts",
    server: "rony",
    label: { rpc: "rony-ts edge, WebSocket envelopes", rest: "rony-ts edge, REST POST /echo" },
    run: (t, s) => (s === "rest" ? nativeLoad(client, t, "http", files.rest, specs[s]) : nativeLoad(client, t, "ws", files.ws, specs[s])),
  },
  {
    name: "uws-raw",
    server: "uws-raw",
    label: { rpc: "uWebSockets.js raw echo (the limit)", rest: "uWebSockets.js raw HTTP echo" },
    run: (t, s) => (s === "rest" ? nativeLoad(client, t, "http", files.rest, specs[s]) : nativeLoad(client, t, "ws", files.ws, specs[s])),
  },
  {
    name: "rony-ts + metrics",
    server: "rony-metrics",
    label: { rpc: "rony-ts edge + /metrics, WebSocket", rest: "rony-ts edge + /metrics, REST" },
    run: (t, s) => (s === "rest" ? nativeLoad(client, t, "http", files.rest, specs[s]) : nativeLoad(client, t, "ws", files.ws, specs[s])),
  },
  {
    name: "ws",
    server: "ws",
    label: { rpc: "ws + same dispatcher", rest: "node:http + JSON, same handler" },
    run: (t, s) => (s === "rest" ? nativeLoad(client, t, "http", files.rest, specs[s]) : nativeLoad(client, t, "ws", files.ws, specs[s])),
  },
  {
    name: "connect",
    server: "connect",
    label: { rpc: "connect-node unary, h2c binary", rest: "connect-node unary, HTTP/1.1 JSON" },
    run: (t, s) =>
      s === "rest"
        ? nativeLoad(client, t, "http", files.connectJson, specs[s])
        : h2Load(t, h2(t, "/examples.echo.Echo/Say"), files.connectProto, ["content-type: application/proto"], specs[s]),
  },
  {
    name: "grpc",
    server: "grpc",
    label: { rpc: "grpc-js unary, h2c", rest: "grpc-js unary, h2c (no REST; for scale)" },
    run: (t, s) => h2Load(t, h2(t, "/examples.echo.Echo/Say"), files.grpc, ["content-type: application/grpc", "te: trailers"], specs[s]),
  },
];

// ---- in-process ----
const loadavg = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`edge bench: ${rounds} rounds × ${seconds}s (+${warmup}s warm-up) per measurement; server pinned to cpu ${SERVER_CPU}; load average ${loadavg()}`);
const dispatch = await measureDispatch(200_000);
const us = (ns: number) => (ns / 1000).toFixed(2);
console.log(`
In-process dispatch (decode → route → handler → encode), µs per call, 5 rounds:
  rony-ts, calls started back to back    ${us(dispatch.pipelinedNs)} µs best, ${us(dispatch.pipelinedMedianNs)} median   target ≤ 1.50 (Rony's Go edge: 1.2)  ${dispatch.pipelinedNs <= 1500 ? "met" : "MISSED"}
  rony-ts, one call at a time (awaited)  ${us(dispatch.sequentialNs)} µs median   includes the bench's own promise per call
  message codecs alone, no routing      ${us(dispatch.codecFloorNs)} µs median   Envelope+EchoRequest decode, EchoReply+Envelope encode, fresh writers each`);

// ---- over sockets, interleaved ----
const results = new Map<string, Record<Scenario, LoadResult[]>>();
const served = new Map<string, { expected: number; got: number }>();
for (const p of peers) {
  results.set(p.name, { latPinned: [], latSplit: [], throughput: [], rest: [] });
  served.set(p.name, { expected: 0, got: 0 });
}
// Every server runs for the whole bench (an idle one costs its core nothing), so each scenario
// meets the peers back to back: the VM's speed drifts over tens of seconds here, and a ratio is
// only as good as the time between its two measurements, so rony-ts runs between the two it is
// most compared with. Every other round goes through the peers in reverse, which cancels a
// steady drift.
const runOrder = ["uws-raw", "rony-ts", "rony-ts + metrics", "ws", "connect", "grpc"].map((name) => peers.find((p) => p.name === name)!);
if (runOrder.length !== peers.length || runOrder.some((p) => p === undefined)) throw new Error("runOrder must name every peer once");
const targets = new Map<string, Target>();
try {
  for (const p of peers) targets.set(p.name, await startTarget(p.server, SERVER_CPU));
  for (let round = 1; round <= rounds; round++) {
    process.stdout.write(`round ${round}/${rounds} (load ${loadavg()}):`);
    for (const s of ["latPinned", "latSplit", "throughput", "rest"] as const) {
      for (const p of round % 2 === 1 ? runOrder : [...runOrder].reverse()) {
        const r = p.run(targets.get(p.name)!, s);
        results.get(p.name)![s].push(r);
        served.get(p.name)!.expected += r.replies;
      }
      process.stdout.write(` ${s}`);
    }
    process.stdout.write("\n");
  }
} finally {
  for (const [name, target] of targets) served.get(name)!.got += await stopTarget(target);
}

const rony = "rony-ts";
const runs = (name: string, s: Scenario) => results.get(name)![s];
const med = (name: string, s: Scenario, f: (r: LoadResult) => number) => median(runs(name, s).map(f));
/** rony-ts over the peer, round by round (they ran minutes apart at most), then the median. */
const ratioOf = (peer: string, s: Scenario, f: (r: LoadResult) => number) =>
  median(runs(rony, s).map((r, i) => {
    const b = f(runs(peer, s)[i]!);
    return b > 0 ? f(r) / b : NaN;
  }));
const clientBound = (name: string, s: Scenario) => med(name, s, (r) => r.clientCpu) >= CLIENT_BOUND;
const pad = (v: string, n: number) => v.padStart(n);
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : "–");
const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
const rps = (r: LoadResult) => r.rps;
const perCpu = (r: LoadResult) => (r.serverCpu > 0 ? r.rps / r.serverCpu : 0);
const p50 = (r: LoadResult) => r.p50;
/** The ratio column, or why there is none. */
const vsPeer = (peer: string, s: Scenario, f: (r: LoadResult) => number) =>
  peer === rony ? "" : clientBound(peer, s) || clientBound(rony, s) ? `client-bound (≥ ${CLIENT_BOUND} core): no ratio` : times(ratioOf(peer, s, f));

console.log(`
WebSocket RPC latency, one call in flight, µs (p50 / p99). "same core": client and server pinned
to one vCPU (framework cost); "two cores": the cross-core wake-up dominates (BENCHMARKING.md):`);
console.log(`  ${"target".padEnd(40)} ${pad("same core p50", 14)} ${pad("p99", 8)} ${pad("two cores p50", 14)} ${pad("p99", 8)}  rony-ts p50 / peer p50 (same core)`);
for (const p of peers) {
  console.log(
    `  ${p.label.rpc.padEnd(40)} ${pad(med(p.name, "latPinned", p50).toFixed(1), 14)} ${pad(med(p.name, "latPinned", (r) => r.p99).toFixed(1), 8)} ${pad(med(p.name, "latSplit", p50).toFixed(1), 14)} ${pad(med(p.name, "latSplit", (r) => r.p99).toFixed(1), 8)}  ${p.name === rony ? "" : times(ratioOf(p.name, "latPinned", p50))}`,
  );
}

console.log(`
WebSocket RPC throughput, 16 connections × 32 in flight (peers over h2c: 16 connections × 32 streams).
CPU in cores; a client at ≥ ${CLIENT_BOUND} of its core is flagged, its row measures the client. "per server
cpu-s" is calls per second of server CPU: the efficiency, steadier when other jobs share the cores.
Ratios are rony-ts / peer per round (peers interleaved), median of the rounds:`);
console.log(`  ${"target".padEnd(40)} ${pad("calls/s", 10)} ${pad("server cpu", 11)} ${pad("client cpu", 11)} ${pad("per server cpu-s", 17)}  rony-ts / peer (calls/s, per cpu-s)`);
for (const p of peers) {
  const flag = p.name === rony || clientBound(p.name, "throughput") || clientBound(rony, "throughput") ? vsPeer(p.name, "throughput", rps) : `${vsPeer(p.name, "throughput", rps)}, ${vsPeer(p.name, "throughput", perCpu)}`;
  console.log(
    `  ${p.label.rpc.padEnd(40)} ${pad(med(p.name, "throughput", rps).toFixed(0), 10)} ${pad(med(p.name, "throughput", (r) => r.serverCpu).toFixed(2), 11)} ${pad(med(p.name, "throughput", (r) => r.clientCpu).toFixed(2), 11)} ${pad(med(p.name, "throughput", perCpu).toFixed(0), 17)}  ${flag}`,
  );
}

console.log(`
HTTP, POST /echo with a JSON body, 16 connections × 32 pipelined (HTTP/1.1; grpc-js over h2c, 32 streams):`);
console.log(`  ${"target".padEnd(40)} ${pad("req/s", 10)} ${pad("server cpu", 11)} ${pad("client cpu", 11)} ${pad("per server cpu-s", 17)}  rony-ts / peer (req/s, per cpu-s)`);
for (const p of peers) {
  const flag = p.name === rony || clientBound(p.name, "rest") || clientBound(rony, "rest") ? vsPeer(p.name, "rest", rps) : `${vsPeer(p.name, "rest", rps)}, ${vsPeer(p.name, "rest", perCpu)}`;
  console.log(
    `  ${p.label.rest.padEnd(40)} ${pad(med(p.name, "rest", rps).toFixed(0), 10)} ${pad(med(p.name, "rest", (r) => r.serverCpu).toFixed(2), 11)} ${pad(med(p.name, "rest", (r) => r.clientCpu).toFixed(2), 11)} ${pad(med(p.name, "rest", perCpu).toFixed(0), 17)}  ${flag}`,
  );
}

// ---- what the bench must show (issue 19) ----
const raw = "uws-raw";
const rawRps = med(raw, "throughput", rps);
const rawClient = med(raw, "throughput", (r) => r.clientCpu);
const wsRatio = ratioOf(raw, "throughput", rps);
const restRatio = ratioOf(raw, "rest", rps);
const latRatio = ratioOf(raw, "latPinned", p50);
/**
 * A calls/s ratio means something only when both servers had their core: a server that got a
 * fraction of it (other jobs) is measured at the scheduler's pace, not its own.
 */
const starved = (s: Scenario) => [raw, rony].filter((n) => med(n, s, (r) => r.serverCpu) < 0.9);
const judge = (s: Scenario, ratio: number, floor: number) => {
  if (clientBound(raw, s) || clientBound(rony, s)) return "client-bound";
  const low = starved(s);
  if (low.length > 0) return `not judged: ${low.map((n) => `${n} got ${med(n, s, (r) => r.serverCpu).toFixed(2)} of its core`).join(", ")}`;
  return verdict(ratio >= floor);
};
const rawServer = med(raw, "throughput", (r) => r.serverCpu);
console.log(`
Checks (ratios from this run; calls/s ratios are judged only when both servers had ≥ 0.9 of their core):
  the client can saturate the limit: raw uWS echo ${rawRps.toFixed(0)} msg/s ≥ 1,000,000 with the client at ${rawClient.toFixed(2)} < ${CLIENT_BOUND} core → ${rawClient >= CLIENT_BOUND ? "MISSED (client-bound)" : rawServer < 0.9 ? `not judged: the raw server got ${rawServer.toFixed(2)} of its core (other jobs)` : rawRps >= 1e6 ? "met" : `MISSED: not by the client (${rawClient.toFixed(2)} core) but by the raw server, which had its core and served fewer; this VM has slow phases (docs/edge.md, "Figures"): run again`}
  rony-ts WebSocket RPC ≥ 0.5× raw uWS echo (goal 0.8×) → ${times(wsRatio)} ${judge("throughput", wsRatio, 0.5)}; per server cpu-s ${times(ratioOf(raw, "throughput", perCpu))}
  rony-ts REST ≥ 0.5× raw uWS HTTP echo → ${times(restRatio)} ${judge("rest", restRatio, 0.5)}; per server cpu-s ${times(ratioOf(raw, "rest", perCpu))}
  p50 one in flight, same core ≤ 1.2× raw → ${times(latRatio)} ${verdict(latRatio <= 1.2)}
  WebSocket RPC ≥ 3× connect-node → ${times(ratioOf("connect", "throughput", rps))} ${verdict(ratioOf("connect", "throughput", rps) >= 3)}; ≥ 3× grpc-js → ${times(ratioOf("grpc", "throughput", rps))} ${verdict(ratioOf("grpc", "throughput", rps) >= 3)}`);

console.log(`\nload average at the end: ${loadavg()} (other work on these cores skews every number; compare ratios within one run)`);

// Every counted reply must be a call the server's handler ran (the raw echo counts messages).
for (const [name, { expected, got }] of served) {
  if (got < expected) throw new Error(`${name}: the client counted ${expected} replies but the handler ran ${got} times`);
}
