// Commit latency and throughput of a 3-server rony-ts Raft cluster against a 3-member etcd
// cluster, both on loopback with fsync, driven by the same gRPC client (etcd's KV.Put).
// RAFT_BENCH_SECONDS (default 3) per run, RAFT_BENCH_ROUNDS (default 3) interleaved rounds.
import * as grpc from "@grpc/grpc-js";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { PutRequest, PutResponse } from "./raft-etcd-api.js";
import { loadKvService } from "./raft-etcd-api.js";
import type { Cluster } from "./raft-cluster.js";
import { closedLoop, median, type Run } from "./closed-loop.js";
import { etcdAvailable, startEtcd, startRony } from "./raft-cluster.js";

const SECONDS = Number(process.env["RAFT_BENCH_SECONDS"] ?? 3);
const ROUNDS = Number(process.env["RAFT_BENCH_ROUNDS"] ?? 3);
const VALUE = Buffer.alloc(64, "v");
const KEYS = 10_000;
const CONCURRENCY = [1, 16];

const KV = loadKvService();

const load = async (c: Cluster, concurrency: number): Promise<Run> => {
  const client = new KV(`127.0.0.1:${c.leaderPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Put(req: PutRequest, cb: (err: grpc.ServiceError | null, res?: PutResponse) => void): void;
  };
  const put = (key: number): Promise<boolean> =>
    new Promise((resolve) => client.Put({ key: Buffer.from(`key-${key}`), value: VALUE }, (err) => resolve(err === null)));
  try {
    return await closedLoop(put, c.pids, concurrency, SECONDS, KEYS);
  } finally {
    client.close();
  }
};

const dataRoot = await mkdtemp(join(tmpdir(), "raft-bench-"));
const clusters: Cluster[] = [];
try {
  console.log(`3 servers each, loopback, fsync on; load: one grpc-js client process (HTTP/2 channel to the leader, etcd KV.Put, 64-byte values, ${KEYS} keys),`);
  console.log(`1 and 16 concurrent callers, ${SECONDS} s per run after 0.5 s warm-up, ${ROUNDS} interleaved rounds, medians reported. ${2} vCPUs shared by all servers and the client.`);
  clusters.push(await startRony(dataRoot, Number(process.env["RAFT_BENCH_TICK_MS"] ?? 50)));
  let etcdNote = "";
  if (etcdAvailable()) {
    try {
      clusters.push(await startEtcd(dataRoot));
    } catch (e) {
      etcdNote = `etcd failed to start: ${(e as Error).message}`;
    }
  } else {
    etcdNote = "etcd is not installed (/usr/bin/etcd): only rony-ts figures below";
  }
  if (etcdNote) console.log(`\n*** ${etcdNote} ***\n`);

  const results = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const conc of CONCURRENCY) {
      for (const c of clusters) {
        const r = await load(c, conc);
        const k = `${c.name}/${conc}`;
        results.set(k, [...(results.get(k) ?? []), r]);
      }
    }
  }

  const row = (cols: string[]) => console.log(cols.map((c, i) => (i < 2 ? c.padEnd(9) : c.padStart(11))).join(" "));
  row(["system", "callers", "p50 ms", "p99 ms", "ops/s", "server CPU", "client CPU", "errors"]);
  const med = new Map<string, Run>();
  for (const conc of CONCURRENCY) {
    for (const c of clusters) {
      const rs = results.get(`${c.name}/${conc}`)!;
      const m: Run = {
        p50: median(rs.map((r) => r.p50)),
        p99: median(rs.map((r) => r.p99)),
        opsPerSec: median(rs.map((r) => r.opsPerSec)),
        serverCpu: median(rs.map((r) => r.serverCpu)),
        clientCpu: median(rs.map((r) => r.clientCpu)),
        errors: rs.reduce((n, r) => n + r.errors, 0),
      };
      med.set(`${c.name}/${conc}`, m);
      row([c.name, String(conc), m.p50.toFixed(3), m.p99.toFixed(3), m.opsPerSec.toFixed(0), `${(m.serverCpu * 100).toFixed(0)}%`, `${(m.clientCpu * 100).toFixed(0)}%`, String(m.errors)]);
    }
  }
  if (clusters.length === 2) {
    console.log("\nratios rony-ts / etcd (latency: lower is better; throughput: higher is better)");
    for (const conc of CONCURRENCY) {
      const a = med.get(`rony-ts/${conc}`)!;
      const b = med.get(`etcd/${conc}`)!;
      console.log(
        `  ${String(conc).padStart(2)} callers: p50 ×${(a.p50 / b.p50).toFixed(2)}  p99 ×${(a.p99 / b.p99).toFixed(2)}  throughput ×${(a.opsPerSec / b.opsPerSec).toFixed(2)}`,
      );
    }
  }
} finally {
  for (const c of clusters) await c.stop();
  await rm(dataRoot, { recursive: true, force: true });
}
