// A replicated write through the edge (Notes.Update on a 3-node replica set, sent to the leader's
// edge over the WebSocket client) beside the same write on one unreplicated node (a plain
// EdgeServer, same ModelNotesService, MemoryStore) and beside etcd's put (3 members, grpc-js), all
// in one run, 1 and 16 concurrent callers, interleaved rounds. Then the unreplicated write again
// with client and server pinned to one core: the framework's own cost per call (BENCHMARKING.md).
// Then the sharded cluster (cluster-sharded.ts): a call forwarded to its owner against the same call
// sent to the owner, and a client with the slot map against one without.
// CLUSTER_BENCH_SECONDS (default 3) per run, CLUSTER_BENCH_ROUNDS (default 3), CLUSTER_BENCH_PARTS
// (default "replication,sharded": which parts run).
import * as grpc from "@grpc/grpc-js";
import { execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { NotesClient } from "../generated/examples/notes.rony.js";
import type { NotesServers } from "./cluster-servers.js";
import { startReplicaSet, startSingle } from "./cluster-servers.js";
import type { Run } from "./closed-loop.js";
import { header, interleaved, load, medianRun, ms, printRatio, printRun, type Call, type Target } from "./cluster-report.js";
import { shardedPart } from "./cluster-sharded.js";
import type { Cluster } from "./raft-cluster.js";
import { etcdAvailable, startEtcd } from "./raft-cluster.js";
import type { PutRequest, PutResponse } from "./raft-etcd-api.js";
import { loadKvService } from "./raft-etcd-api.js";

const SECONDS = Number(process.env["CLUSTER_BENCH_SECONDS"] ?? 3);
const ROUNDS = Number(process.env["CLUSTER_BENCH_ROUNDS"] ?? 3);
const PARTS = (process.env["CLUSTER_BENCH_PARTS"] ?? "replication,sharded").split(",");
const KEYS = 256;
const BODY = "v".repeat(64);
const CONCURRENCY = [1, 16];

const notesTarget = async (name: string, servers: NotesServers): Promise<Target> => {
  const open = async () => {
    const transport = new WebSocketTransport(servers.edgeUrl, { reconnect: false });
    const notes = new NotesClient(transport);
    const call: Call = (k) =>
      notes.update({ notebook: "bench", id: BigInt(k + 1), note: { notebook: "bench", id: BigInt(k + 1), slug: `n${k}`, title: `n${k}`, body: BODY, tags: [] } }).then(
        () => true,
        () => false,
      );
    return { call, close: () => transport.close() };
  };
  // the notes every run updates: ids 1..KEYS (Create numbers a notebook's notes from 1)
  const t = new WebSocketTransport(servers.edgeUrl, { reconnect: false });
  const notes = new NotesClient(t);
  for (let k = 0; k < KEYS; k++) await notes.create({ notebook: "bench", slug: `n${k}`, title: `n${k}`, body: "", tags: [] });
  t.close();
  return { name, pids: servers.pids, keys: KEYS, open };
};

const KV = loadKvService();
const etcdTarget = (c: Cluster): Target => ({
  name: "etcd put",
  pids: c.pids,
  keys: KEYS,
  open: async () => {
    const client = new KV(`127.0.0.1:${c.leaderPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Put(req: PutRequest, cb: (err: grpc.ServiceError | null, res?: PutResponse) => void): void;
    };
    const value = Buffer.from(BODY);
    const call: Call = (k) => new Promise((resolve) => client.Put({ key: Buffer.from(`key-${k}`), value }, (err) => resolve(err === null)));
    return { call, close: () => client.close() };
  },
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

/** Replicated Notes against unreplicated Notes and etcd; its servers are stopped before the next part. */
async function replicationPart(dataRoot: string): Promise<void> {
  console.log("Notes.Update (64-byte body, 256 notes) over one WebSocket to the edge; etcd KV.Put (64-byte values, 256 keys) over one grpc-js channel to etcd's leader.");
  console.log(`replicated: 3-node replica set, Raft WAL with fdatasync (etcd too); unreplicated: one EdgeServer, MemoryStore (no disk).`);
  const stops: (() => Promise<void>)[] = [];
  try {
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

    const med = await interleaved(targets, CONCURRENCY, ROUNDS, SECONDS);
    const unreplicated = targets[1]!;
    const pinnedRuns: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) pinnedRuns.push(await pinned([process.pid, ...unreplicated.pids], () => load(unreplicated, 1, SECONDS)));

    console.log();
    header();
    for (const conc of CONCURRENCY) for (const t of targets) printRun(t.name, conc, med.get(`${t.name}/${conc}`)!);
    const pin = medianRun(pinnedRuns);
    printRun("unreplicated, 1 core", 1, pin);

    console.log("\nreplicated / unreplicated (latency: lower is better; throughput: higher is better)");
    for (const conc of CONCURRENCY) printRatio(med, "rony-ts replicated", "rony-ts unreplicated", conc);
    if (targets.length === 3) {
      console.log("replicated / etcd put");
      for (const conc of CONCURRENCY) printRatio(med, "rony-ts replicated", "etcd put", conc);
    }
    const repl = med.get("rony-ts replicated/1")!;
    const etcd = med.get("etcd put/1");
    console.log("\nagainst Rony's claims (its machines, not these; compare the ratios above first):");
    console.log(`  replicated write ~1 ms:         here p50 ${ms(repl.p50)} ms${etcd ? ` (etcd's put: ${ms(etcd.p50)} ms)` : ""}`);
    console.log(`  < 25 µs unreplicated overhead:  here a whole pinned round trip (client, WebSocket, edge, handler, MemoryStore) p50 ${(pin.p50 * 1000).toFixed(0)} µs`);
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

const dataRoot = await mkdtemp(join(tmpdir(), "cluster-bench-"));
try {
  console.log(`1 and 16 concurrent callers, ${SECONDS} s per run after 0.5 s warm-up, ${ROUNDS} interleaved rounds, medians; one Node client process; 2 vCPUs shared by everything.`);
  console.log(`load average before: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  if (PARTS.includes("replication")) await replicationPart(dataRoot);
  if (PARTS.includes("sharded")) {
    console.log(`\nload average: ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
    await shardedPart(join(dataRoot, "sharded"), { seconds: SECONDS, rounds: ROUNDS, concurrency: CONCURRENCY });
  }
  console.log(`load average after: ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);
} finally {
  await rm(dataRoot, { recursive: true, force: true });
}
