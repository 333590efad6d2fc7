// The edge benchmarks: in-process dispatch, WebSocket RPC latency and throughput, HTTP REST
// req/s; rony-ts against a raw uWebSockets.js echo (the limit), a `ws` equivalent,
// @connectrpc/connect-node and @grpc/grpc-js, all moving the same payload (an int64, a bool and
// a 32-byte string). Load comes from a native client (bench/native/edge-load.c) and h2load,
// never from Node. Peers run interleaved in every round; tables show medians and ratios.
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
  rest: { conns: 32, inflight: 1, seconds, warmup, cpu: OTHER_CPU },
};

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
for (let round = 1; round <= rounds; round++) {
  process.stdout.write(`round ${round}/${rounds}:`);
  for (const p of peers) {
    const target = await startTarget(p.server, SERVER_CPU);
    try {
      for (const s of ["latPinned", "latSplit", "throughput", "rest"] as const) {
        const r = p.run(target, s);
        results.get(p.name)![s].push(r);
        served.get(p.name)!.expected += r.replies;
      }
    } finally {
      served.get(p.name)!.got += await stopTarget(target);
    }
    process.stdout.write(` ${p.name}`);
  }
  process.stdout.write("\n");
}

const med = (name: string, s: Scenario, f: (r: LoadResult) => number) => median(results.get(name)![s].map(f));
const pad = (v: string, n: number) => v.padStart(n);
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "–");
const rony = "rony-ts";

console.log(`
WebSocket RPC latency, one call in flight, µs (p50 / p99). "same core": client and server pinned
to one vCPU (framework cost); "two cores": the cross-core wake-up dominates (BENCHMARKING.md):`);
console.log(`  ${"target".padEnd(40)} ${pad("same core p50", 14)} ${pad("p99", 8)} ${pad("two cores p50", 14)} ${pad("p99", 8)}  rony-ts p50 / peer p50 (same core)`);
for (const p of peers) {
  const a = med(p.name, "latPinned", (r) => r.p50);
  console.log(
    `  ${p.label.rpc.padEnd(40)} ${pad(a.toFixed(1), 14)} ${pad(med(p.name, "latPinned", (r) => r.p99).toFixed(1), 8)} ${pad(med(p.name, "latSplit", (r) => r.p50).toFixed(1), 14)} ${pad(med(p.name, "latSplit", (r) => r.p99).toFixed(1), 8)}  ${p.name === rony ? "" : ratio(med(rony, "latPinned", (r) => r.p50), a)}`,
  );
}

console.log(`
WebSocket RPC throughput, 16 connections × 32 in flight (peers over h2c: 16 connections × 32 streams).
CPU in cores (a client near 1.0 would mean the number is the client's). "per server cpu-s" is
calls per second of server CPU: the efficiency, steadier than calls/s when other jobs share the cores:`);
console.log(`  ${"target".padEnd(40)} ${pad("calls/s", 10)} ${pad("server cpu", 11)} ${pad("client cpu", 11)} ${pad("per server cpu-s", 17)}  rony-ts / peer (calls/s, per cpu-s)`);
const tp = (n: string) => med(n, "throughput", (r) => r.rps);
const eff = (n: string) => med(n, "throughput", (r) => (r.serverCpu > 0 ? r.rps / r.serverCpu : 0));
for (const p of peers) {
  console.log(
    `  ${p.label.rpc.padEnd(40)} ${pad(tp(p.name).toFixed(0), 10)} ${pad(med(p.name, "throughput", (r) => r.serverCpu).toFixed(2), 11)} ${pad(med(p.name, "throughput", (r) => r.clientCpu).toFixed(2), 11)} ${pad(eff(p.name).toFixed(0), 17)}  ${p.name === rony ? "" : `${ratio(tp(rony), tp(p.name))}, ${ratio(eff(rony), eff(p.name))}`}`,
  );
}
const roTp = tp(rony);
console.log(`  targets: ≥ 0.8× raw uWS echo → ${ratio(roTp, tp("uws-raw"))} ${roTp >= 0.8 * tp("uws-raw") ? "met" : "MISSED"} (per cpu-s ${ratio(eff(rony), eff("uws-raw"))});` +
  ` ≥ 3× connect-node → ${ratio(roTp, tp("connect"))} ${roTp >= 3 * tp("connect") ? "met" : "MISSED"}; ≥ 3× grpc-js → ${ratio(roTp, tp("grpc"))} ${roTp >= 3 * tp("grpc") ? "met" : "MISSED"}`);

console.log(`
HTTP REST, POST /echo with a JSON body, 32 connections × 1 in flight (HTTP/1.1, no pipelining):`);
console.log(`  ${"target".padEnd(40)} ${pad("req/s", 10)} ${pad("server cpu", 11)} ${pad("client cpu", 11)}  rony-ts / peer`);
const roRest = med(rony, "rest", (r) => r.rps);
for (const p of peers) {
  const v = med(p.name, "rest", (r) => r.rps);
  console.log(
    `  ${p.label.rest.padEnd(40)} ${pad(v.toFixed(0), 10)} ${pad(med(p.name, "rest", (r) => r.serverCpu).toFixed(2), 11)} ${pad(med(p.name, "rest", (r) => r.clientCpu).toFixed(2), 11)}  ${p.name === rony ? "" : ratio(roRest, v)}`,
  );
}

console.log(`\nload average at the end: ${loadavg()} (other work on these cores skews every number; compare ratios within one run)`);

// Every counted reply must be a call the server's handler ran (the raw echo counts messages).
for (const [name, { expected, got }] of served) {
  if (got < expected) throw new Error(`${name}: the client counted ${expected} replies but the handler ran ${got} times`);
}
