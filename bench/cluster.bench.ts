// A replicated write through the edge (Notes.Update on a 3-node replica set, sent to the leader's
// edge over the WebSocket client) beside the same write on one unreplicated node (a plain
// EdgeServer, same ModelNotesService, MemoryStore) and beside etcd's put (3 members, grpc-js), all
// in one run, 1 and 16 concurrent callers, interleaved rounds. Then the unreplicated write again
// with client and server pinned to one core: the framework's own cost per call (BENCHMARKING.md).
// CLUSTER_BENCH_SECONDS (default 3) per run, CLUSTER_BENCH_ROUNDS (default 3).
import * as grpc from "@grpc/grpc-js";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { NotesClient } from "../generated/examples/notes.rony.js";
import type { NotesServers } from "./cluster-servers.js";
import { startReplicaSet, startSingle } from "./cluster-servers.js";
import type { Cluster } from "./raft-cluster.js";
import { closedLoop, median, type Run } from "./closed-loop.js";
import { etcdAvailable, startEtcd } from "./raft-cluster.js";
import type { PutRequest, PutResponse } from "./raft-etcd-api.js";
import { loadKvService } from "./raft-etcd-api.js";

const SECONDS = Number(process.env["CLUSTER_BENCH_SECONDS"] ?? 3);
const ROUNDS = Number(process.env["CLUSTER_BENCH_ROUNDS"] ?? 3);
const KEYS = 256;
const BODY = "v".repeat(64);
const CONCURRENCY = [1, 16];
/** A client process above this share of a core measures itself, not the server: no ratio from it. */
const CLIENT_SATURATED = 0.9;

/** One write to key `k`; resolves false when it failed. */
type Write = (k: number) => Promise<boolean>;

interface Target {
  readonly name: string;
  readonly pids: number[];
  open(): Promise<{ write: Write; close(): void }>;
}

const notesTarget = async (name: string, servers: NotesServers): Promise<Target> => {
  const open = async () => {
    const transport = new WebSocketTransport(servers.edgeUrl, { reconnect: false });
    const notes = new NotesClient(transport);
    const write: Write = (k) =>
      notes.update({ notebook: "bench", id: BigInt(k + 1), note: { notebook: "bench", id: BigInt(k + 1), slug: `n${k}`, title: `n${k}`, body: BODY, tags: [] } }).then(
        () => true,
        () => false,
      );
    return { write, close: () => transport.close() };
  };
  // the notes every run updates: ids 1..KEYS (Create numbers a notebook's notes from 1)
  const t = new WebSocketTransport(servers.edgeUrl, { reconnect: false });
  const notes = new NotesClient(t);
  for (let k = 0; k < KEYS; k++) await notes.create({ notebook: "bench", slug: `n${k}`, title: `n${k}`, body: "", tags: [] });
  t.close();
  return { name, pids: servers.pids, open };
};

const KV = loadKvService();
const etcdTarget = (c: Cluster): Target => ({
  name: "etcd put",
  pids: c.pids,
  open: async () => {
    const client = new KV(`127.0.0.1:${c.leaderPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Put(req: PutRequest, cb: (err: grpc.ServiceError | null, res?: PutResponse) => void): void;
    };
    const value = Buffer.from(BODY);
    const write: Write = (k) => new Promise((resolve) => client.Put({ key: Buffer.from(`key-${k}`), value }, (err) => resolve(err === null)));
    return { write, close: () => client.close() };
  },
});

const load = async (target: Target, concurrency: number): Promise<Run> => {
  const { write, close } = await target.open();
  try {
    return await closedLoop(write, target.pids, concurrency, SECONDS, KEYS);
  } finally {
    close();
  }
};

const medianRun = (rs: Run[]): Run => ({
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
  opsPerSec: median(rs.map((r) => r.opsPerSec)),
  serverCpu: median(rs.map((r) => r.serverCpu)),
  clientCpu: median(rs.map((r) => r.clientCpu)),
  errors: rs.reduce((n, r) => n + r.errors, 0),
});

/** Runs `f` with these processes (every thread) on CPU 0 only, then gives them back their own affinity. */
const pinned = async <T>(pids: number[], f: () => Promise<T>): Promise<T> => {
  const masks = pids.map((pid) => /: (\S+)\s*$/.exec(execFileSync("taskset", ["-p", String(pid)]).toString())![1]!);
  for (const pid of pids) execFileSync("taskset", ["-a", "-p", "-c", "0", String(pid)], { stdio: "ignore" });
  try {
    return await f();
  } finally {
    pids.forEach((pid, i) => execFileSync("taskset", ["-a", "-p", masks[i]!, String(pid)], { stdio: "ignore" }));
  }
};

const ms = (x: number) => x.toFixed(3);
const row = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(10))).join(" "));
const printRun = (name: string, conc: number, r: Run) =>
  row([name, String(conc), ms(r.p50), ms(r.p99), r.opsPerSec.toFixed(0), `${(r.serverCpu * 100).toFixed(0)}%`, `${(r.clientCpu * 100).toFixed(0)}%${r.clientCpu > CLIENT_SATURATED ? "!" : ""}`, String(r.errors)]);

const dataRoot = await mkdtemp(join(tmpdir(), "cluster-bench-"));
const stops: (() => Promise<void>)[] = [];
try {
  const load0 = loadavg();
  console.log("Notes.Update (64-byte body, 256 notes) over one WebSocket to the edge; etcd KV.Put (64-byte values, 256 keys) over one grpc-js channel to etcd's leader.");
  console.log(`replicated: 3-node replica set, Raft WAL with fdatasync (etcd too); unreplicated: one EdgeServer, MemoryStore (no disk).`);
  console.log(`1 and 16 concurrent callers, ${SECONDS} s per run after 0.5 s warm-up, ${ROUNDS} interleaved rounds, medians; one Node client process; 2 vCPUs shared by everything.`);
  console.log(`load average before: ${load0.map((x) => x.toFixed(2)).join(" ")}`);

  const replicas = await startReplicaSet(dataRoot, Number(process.env["CLUSTER_BENCH_TICK_MS"] ?? 50));
  stops.push(replicas.stop);
  const single = await startSingle();
  stops.push(single.stop);
  const targets = [await notesTarget("rony-ts replicated", replicas), await notesTarget("rony-ts unreplicated", single)];
  if (etcdAvailable()) {
    try {
      const etcd = await startEtcd(dataRoot);
      stops.push(etcd.stop);
      targets.push(etcdTarget(etcd));
    } catch (e) {
      console.log(`\n*** etcd failed to start: ${(e as Error).message} ***\n`);
    }
  } else {
    console.log("\n*** etcd is not installed (/usr/bin/etcd): no etcd ratios below ***\n");
  }

  const results = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const conc of CONCURRENCY) {
      for (const t of targets) {
        const k = `${t.name}/${conc}`;
        results.set(k, [...(results.get(k) ?? []), await load(t, conc)]);
      }
    }
  }
  const unreplicated = targets[1]!;
  const pinnedRuns: Run[] = [];
  for (let round = 0; round < ROUNDS; round++) pinnedRuns.push(await pinned([process.pid, ...unreplicated.pids], () => load(unreplicated, 1)));

  console.log();
  row(["", "callers", "p50 ms", "p99 ms", "ops/s", "server CPU", "client CPU", "errors"]);
  const med = new Map<string, Run>();
  for (const conc of CONCURRENCY) {
    for (const t of targets) {
      const m = medianRun(results.get(`${t.name}/${conc}`)!);
      med.set(`${t.name}/${conc}`, m);
      printRun(t.name, conc, m);
    }
  }
  const pin = medianRun(pinnedRuns);
  printRun("unreplicated, 1 core", 1, pin);

  const saturated = (r: Run) => r.clientCpu > CLIENT_SATURATED;
  const ratio = (a: string, b: string, conc: number) => {
    const x = med.get(`${a}/${conc}`);
    const y = med.get(`${b}/${conc}`);
    if (x === undefined || y === undefined) return;
    const flag = saturated(x) || saturated(y) ? "   (client saturated: not a server ratio)" : "";
    console.log(`  ${String(conc).padStart(2)} callers: p50 ×${(x.p50 / y.p50).toFixed(2)}  p99 ×${(x.p99 / y.p99).toFixed(2)}  throughput ×${(x.opsPerSec / y.opsPerSec).toFixed(2)}${flag}`);
  };
  console.log("\nreplicated / unreplicated (latency: lower is better; throughput: higher is better)");
  for (const conc of CONCURRENCY) ratio("rony-ts replicated", "rony-ts unreplicated", conc);
  if (targets.length === 3) {
    console.log("replicated / etcd put");
    for (const conc of CONCURRENCY) ratio("rony-ts replicated", "etcd put", conc);
  }
  const repl = med.get("rony-ts replicated/1")!;
  const etcd = med.get("etcd put/1");
  console.log("\nagainst Rony's claims (its machines, not these; compare the ratios above first):");
  console.log(`  replicated write ~1 ms:         here p50 ${ms(repl.p50)} ms${etcd ? ` (etcd's put: ${ms(etcd.p50)} ms)` : ""}`);
  console.log(`  < 25 µs unreplicated overhead:  here a whole pinned round trip (client, WebSocket, edge, handler, MemoryStore) p50 ${(pin.p50 * 1000).toFixed(0)} µs`);
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  for (const stop of stops.reverse()) await stop();
  await rm(dataRoot, { recursive: true, force: true });
}
