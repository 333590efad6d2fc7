// `npm run bench -- streams`: (1) messages per second through one server stream (the Ticker's
// Count, read by WebSocketTransport) against the raw uWebSockets.js echo (a `ws` client keeping
// 256 frames in flight) in the same run, rounds interleaved; (2) fan-out: one Kv put delivered to
// 10,000 watch streams (20 connections × 500), time from the put to the last delivery.
// Both clients are Node, in this process: they cap near 150k msg/s (BENCHMARKING.md), so each
// row prints the client's CPU beside the server's, and rows whose client used ≥ 0.7 core are
// flagged: there the number is the client's.
import { spawn } from "node:child_process";
import WebSocket from "ws";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { KvClient } from "../generated/examples/kv.rony.js";
import { TickerClient } from "../generated/examples/ticker.rony.js";
import { cpuSeconds, median, root, startTarget, stopTarget } from "./edge-harness.js";

const ROUNDS = Number(process.env.ROUNDS ?? 5);
const STREAM_MESSAGES = 200_000;
const ECHO_MS = 2_000;

async function startRony(): Promise<{ port: number; pid: number; stop: () => void }> {
  const proc = spawn(process.execPath, ["--conditions=source", "--import", "tsx", `${root}bench/streams-server.ts`], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /PORTS (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once("exit", (code) => reject(new Error(`streams-server exited with ${code}`)));
  });
  return { port, pid: proc.pid!, stop: () => proc.kill("SIGTERM") };
}

interface Row {
  rate: number;
  clientCores: number;
  serverCores: number;
}

function measure(pid: number, run: () => Promise<number>): Promise<Row> {
  const c0 = process.cpuUsage();
  const s0 = cpuSeconds(pid);
  const t0 = performance.now();
  return run().then((messages) => {
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { rate: messages / seconds, clientCores: (c.user + c.system) / 1e6 / seconds, serverCores: (cpuSeconds(pid) - s0) / seconds };
  });
}

async function streamRound(port: number, pid: number): Promise<Row> {
  const transport = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`, { reconnect: false });
  await transport.connect();
  const ticker = new TickerClient(transport);
  const row = await measure(pid, async () => {
    let n = 0;
    for await (const _ of ticker.count({ from: 0n, count: BigInt(STREAM_MESSAGES), failAfter: 0n, everyMs: 0, pad: 0 })) n++;
    return n;
  });
  transport.close();
  return row;
}

async function echoRound(port: number, pid: number): Promise<Row> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  await new Promise((r, j) => ws.once("open", r).once("error", j));
  const frame = Buffer.alloc(16, 7);
  const row = await measure(pid, () => new Promise<number>((resolve) => {
    let got = 0;
    const end = performance.now() + ECHO_MS;
    ws.on("message", () => {
      got++;
      if (performance.now() < end) ws.send(frame);
      else if (got % 256 === 0) resolve(got);
    });
    for (let i = 0; i < 256; i++) ws.send(frame);
  }));
  ws.close();
  return row;
}

async function fanOut(port: number, pid: number): Promise<{ ms: number; subscribers: number; row: Row }> {
  const connections = 20;
  const perConnection = 500;
  const transports = Array.from({ length: connections }, () => new WebSocketTransport(`ws://127.0.0.1:${port}/ws`, { reconnect: false }));
  await Promise.all(transports.map((t) => t.connect()));
  let delivered = 0;
  let firstSeen = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const subscribers = connections * perConnection;
  const stops: (() => void)[] = [];
  for (const t of transports) {
    const kv = new KvClient(t);
    for (let i = 0; i < perConnection; i++) {
      const controller = new AbortController();
      stops.push(() => controller.abort());
      void (async () => {
        try {
          for await (const change of kv.watch({ scope: "bench", key: "hot" }, { signal: controller.signal })) {
            if (change.value === undefined) {
              firstSeen++;
              continue;
            }
            if (++delivered === subscribers) done();
          }
        } catch {
          // aborted at the end
        }
      })();
    }
  }
  while (firstSeen < subscribers) await new Promise((r) => setTimeout(r, 20));
  const writer = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`, { reconnect: false });
  const c0 = process.cpuUsage();
  const s0 = cpuSeconds(pid);
  const t0 = performance.now();
  await new KvClient(writer).put({ scope: "bench", key: "hot", value: new Uint8Array([1]) });
  await all;
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const row = { rate: subscribers / (ms / 1000), clientCores: (c.user + c.system) / 1e6 / (ms / 1000), serverCores: (cpuSeconds(pid) - s0) / (ms / 1000) };
  for (const s of stops) s();
  writer.close();
  for (const t of transports) t.close();
  return { ms, subscribers, row };
}

const flag = (r: Row) => (r.clientCores >= 0.7 ? "  (client-bound)" : "");
const fmt = (r: Row) => `${Math.round(r.rate).toLocaleString("en-US").padStart(9)} msg/s  server ${r.serverCores.toFixed(2)} core  client ${r.clientCores.toFixed(2)} core${flag(r)}`;

const rony = await startRony();
const raw = await startTarget("uws-raw", undefined);
const ratios: number[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const s = await streamRound(rony.port, rony.pid);
  const e = await echoRound(raw.ports[0]!, raw.proc.pid!);
  ratios.push(s.rate / e.rate);
  console.log(`round ${round}  one server stream ${fmt(s)}`);
  console.log(`         raw uWS echo      ${fmt(e)}   stream/echo ${(s.rate / e.rate).toFixed(2)}`);
}
console.log(`stream / raw echo, median of ${ROUNDS}: ${median(ratios).toFixed(2)}`);
await stopTarget(raw);
const fan = await fanOut(rony.port, rony.pid);
console.log(`fan-out: one put to ${fan.subscribers.toLocaleString("en-US")} watch streams, last delivery after ${fan.ms.toFixed(1)} ms (server ${fan.row.serverCores.toFixed(2)} core, client ${fan.row.clientCores.toFixed(2)} core)`);
rony.stop();
