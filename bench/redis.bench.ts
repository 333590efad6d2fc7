/**
 * Redis connections against plain ioredis, all on real redis-servers this file starts and stops.
 * Rounds interleave rony-ts and the peer; each row is the median ratio (rony-ts / peer) over
 * the rounds, so ratios < 1 are better for time per op. Unpinned: client and servers share 2 vCPUs.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { Redis } from "ioredis";
import { RedisFleet } from "../test/support/redis-server.js";
import { KetamaRing, PnCounter, RedisHa, ShardedRedis } from "../runtime/redis/index.js";
import { concurrent, loop, median, micros, nanos, opsPerSecond, printTable, sequential, type Row } from "./redis-measure.js";

interface HashRingLike {
  get(key: string): string;
}
const HashRing = createRequire(import.meta.url)("hashring") as new (servers: string[]) => HashRingLike;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SEQ = 1_500;
const CONC = 15_000;
const PIPE = 5_000;

// BENCH_PIN=1: this process and every redis-server on CPU 0, so a round trip costs no
// cross-core wake-up and the ratios show client overhead (see BENCHMARKING.md).
const pinned = process.env.BENCH_PIN === "1";
if (pinned) spawnSync("taskset", ["-cp", "0", String(process.pid)]);
const fleet = await RedisFleet.start({ count: 3, cpus: pinned ? "0" : undefined });
const addresses = fleet.servers.map(({ host, port }) => ({ host, port }));
const plain = new Redis({ ...addresses[0]!, lazyConnect: true });
await plain.connect();
const sharded = await ShardedRedis.connect({ name: "bench-sharded", nodes: addresses });
// ioredis' auto-pipelining: one socket write per node per tick — more throughput, a little latency.
const shardedAuto = await ShardedRedis.connect({ name: "bench-sharded-auto", nodes: addresses, redisOptions: { enableAutoPipelining: true } });
// One node: the same routing work with no extra servers, i.e. the client-side cost alone.
const sharded1 = await ShardedRedis.connect({ name: "bench-sharded-1", nodes: [addresses[0]!] });
// What a naive HA client does: the same command on 3 plain clients, waiting for all.
const replicas = await Promise.all(
  addresses.map(async (a) => {
    const client = new Redis({ ...a, lazyConnect: true });
    await client.connect();
    return client;
  }),
);
const ha = await RedisHa.connect({ name: "bench-ha", replicas: addresses, timeoutMs: 200 });
const counter = new PnCounter(ha, "bench:counter");

try {
  const value = "x".repeat(64);
  const key = (i: number) => `bench:${i % 10_000}`;
  const samples = new Map<string, { ours: number[]; peer: number[] }>();
  // A-B-B-A order within a round, so load that drifts during the round hits both sides alike.
  const record = async (name: string, ours: () => Promise<number>, peer: () => Promise<number>) => {
    const o1 = await ours();
    const p1 = await peer();
    const p2 = await peer();
    const o2 = await ours();
    const s = samples.get(name) ?? { ours: [], peer: [] };
    s.ours.push((o1 + o2) / 2);
    s.peer.push((p1 + p2) / 2);
    samples.set(name, s);
  };

  // Warm up connections, scripts and JIT.
  await sequential(2_000, (i) => sharded.set(key(i), value));
  await sequential(2_000, (i) => plain.set(key(i), value));
  await sequential(2_000, (i) => sharded1.set(key(i), value));
  await sequential(2_000, (i) => shardedAuto.set(key(i), value));
  await sequential(500, (i) => ha.write((c) => c.set(key(i), value)));
  await sequential(500, () => counter.increment());

  for (let round = 0; round < ROUNDS; round++) {
    await record("SET, one at a time, 3 shards (latency)", () => sequential(SEQ, (i) => sharded.set(key(i), value)), () => sequential(SEQ, (i) => plain.set(key(i), value)));
    await record("GET, one at a time, 3 shards (latency)", () => sequential(SEQ, (i) => sharded.get(key(i))), () => sequential(SEQ, (i) => plain.get(key(i))));
    // Same servers, no hashing: what hopping between 3 server processes costs on this machine.
    await record(
      "SET, one at a time, 3 shards vs 3 plain clients round-robin",
      () => sequential(SEQ, (i) => sharded.set(key(i), value)),
      () => sequential(SEQ, (i) => replicas[i % 3]!.set(key(i), value)),
    );
    await record(
      "GET, one at a time, 3 shards vs 3 plain clients round-robin",
      () => sequential(SEQ, (i) => sharded.get(key(i))),
      () => sequential(SEQ, (i) => replicas[i % 3]!.get(key(i))),
    );
    await record("SET, one at a time, 1 shard (latency)", () => sequential(SEQ, (i) => sharded1.set(key(i), value)), () => sequential(SEQ, (i) => plain.set(key(i), value)));
    await record("GET, one at a time, 1 shard (latency)", () => sequential(SEQ, (i) => sharded1.get(key(i))), () => sequential(SEQ, (i) => plain.get(key(i))));
    await record(
      "SET+GET, 64 in flight, 3 shards, auto-pipelining (throughput)",
      () => concurrent(CONC, 64, (i) => (i % 2 ? shardedAuto.get(key(i)) : shardedAuto.set(key(i), value))),
      () => concurrent(CONC, 64, (i) => (i % 2 ? plain.get(key(i)) : plain.set(key(i), value))),
    );
    for (const [label, conn] of [["3 shards", sharded], ["1 shard", sharded1]] as const) {
      await record(
        `SET+GET, 64 in flight, ${label} (throughput)`,
        () => concurrent(CONC, 64, (i) => (i % 2 ? conn.get(key(i)) : conn.set(key(i), value))),
        () => concurrent(CONC, 64, (i) => (i % 2 ? plain.get(key(i)) : plain.set(key(i), value))),
      );
      await record(
        `pipeline of ${PIPE} SETs, ${label} (throughput)`,
        () => timePipeline(() => {
          const p = conn.pipeline();
          for (let i = 0; i < PIPE; i++) p.set(key(i), value);
          return p.exec();
        }),
        () => timePipeline(() => {
          const p = plain.pipeline();
          for (let i = 0; i < PIPE; i++) p.set(key(i), value);
          return p.exec();
        }),
      );
    }
    await record(
      "HA write, 3 replicas W=2 vs 1 server (latency)",
      () => sequential(SEQ, (i) => ha.write((c) => c.set(key(i), value))),
      () => sequential(SEQ, (i) => plain.set(key(i), value)),
    );
    await record(
      "HA read, 3 replicas R=2 vs 1 server (latency)",
      () => sequential(SEQ, (i) => ha.read((c) => c.get(key(i)))),
      () => sequential(SEQ, (i) => plain.get(key(i))),
    );
    await record(
      "HA write W=2 vs naive Promise.all on 3 clients (latency)",
      () => sequential(SEQ, (i) => ha.write((c) => c.set(key(i), value))),
      () => sequential(SEQ, (i) => Promise.all(replicas.map((c) => c.set(key(i), value)))),
    );
    await record(
      "PN-counter increment (HA, Lua) vs INCRBY on 1 server",
      () => sequential(SEQ, () => counter.increment()),
      () => sequential(SEQ, () => plain.incrby("bench:plain-counter", 1)),
    );
  }

  const throughput = (name: string) => name.includes("throughput");
  const rows: Row[] = [...samples].map(([name, s]) => {
    const ours = median(s.ours);
    const peer = median(s.peer);
    const show = throughput(name) ? opsPerSecond : micros;
    // The routing's own cost is judged where both sides hit the same servers: one shard against
    // one server, and three shards against three plain clients taking turns. Three shards against
    // one server adds the wake-up of a different server process per call (issue 19 item 4).
    const sameServers = name.includes("1 shard") || name.includes("round-robin");
    const target = name.includes("one at a time") && sameServers ? 1.1 : name.startsWith("HA ") && name.includes("1 server") ? 1.3 : undefined;
    return { case: name, ours: show(ours), peer: show(peer), ratio: median(s.ours.map((o, i) => o / s.peer[i]!)), target };
  });
  printTable(
    `redis: rony-ts vs plain ioredis on one server — median of ${ROUNDS} rounds, ${pinned ? "pinned (client and servers on CPU 0)" : "unpinned"}; ratio = rony-ts time per op / peer time per op`,
    rows,
  );

  // Ring lookups: our typed-array ketama vs the npm hashring (with its LRU cache cold and warm).
  const servers = fleet.servers.map((s) => s.address);
  const ours = new KetamaRing(servers.map((id) => ({ id })));
  const theirs = new HashRing(servers);
  const keys = Array.from({ length: 200_000 }, (_, i) => `user:${i}:profile`);
  const hot = keys.slice(0, 1_000);
  const ringRows: Row[] = [];
  const cold = { ours: [] as number[], peer: [] as number[] };
  const warm = { ours: [] as number[], peer: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    cold.ours.push(loop(keys.length, (i) => ours.nodeOf(keys[i]!)));
    cold.peer.push(loop(keys.length, (i) => theirs.get(keys[i]!)));
    warm.ours.push(loop(keys.length, (i) => ours.nodeOf(hot[i % 1_000]!)));
    warm.peer.push(loop(keys.length, (i) => theirs.get(hot[i % 1_000]!)));
  }
  for (const [name, s] of [["ring lookup, 200k distinct keys", cold], ["ring lookup, 1k hot keys (hashring LRU hits)", warm]] as const) {
    ringRows.push({ case: name, ours: nanos(median(s.ours)), peer: nanos(median(s.peer)), ratio: median(s.ours.map((o, i) => o / s.peer[i]!)) });
  }
  printTable("ketama ring: KetamaRing vs npm hashring (same continuum)", ringRows);
} finally {
  await Promise.allSettled([plain.quit(), sharded.quit(), sharded1.quit(), shardedAuto.quit(), ha.quit(), ...replicas.map((c) => c.quit())]);
  await fleet.stop();
}

async function timePipeline(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / PIPE;
}
