/**
 * Redis connections against plain ioredis, all on real redis-servers this file starts and stops.
 * Rounds interleave rony-ts and the peer; each row is the median ratio (rony-ts / peer) over
 * the rounds, so ratios < 1 are better for time per op. Unpinned: client and servers share 2 vCPUs.
 */
import { createRequire } from "node:module";
import { Redis } from "ioredis";
import { RedisFleet } from "../test/support/redis-server.js";
import { KetamaRing, PnCounter, RedisHa, ShardedRedis } from "../runtime/redis/index.js";
import { concurrent, loop, median, micros, nanos, opsPerSecond, printTable, sequential, type Row } from "./redis-measure.js";

interface HashRingLike {
  get(key: string): string;
}
const HashRing = createRequire(import.meta.url)("hashring") as new (servers: string[]) => HashRingLike;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SEQ = 4_000;
const CONC = 40_000;
const PIPE = 10_000;

const fleet = await RedisFleet.start({ count: 3 });
const addresses = fleet.servers.map(({ host, port }) => ({ host, port }));
const plain = new Redis({ ...addresses[0]!, lazyConnect: true });
await plain.connect();
const sharded = await ShardedRedis.connect({ name: "bench-sharded", nodes: addresses });
const ha = await RedisHa.connect({ name: "bench-ha", replicas: addresses, timeoutMs: 200 });
const counter = new PnCounter(ha, "bench:counter");

try {
  const value = "x".repeat(64);
  const key = (i: number) => `bench:${i % 10_000}`;
  const samples = new Map<string, { ours: number[]; peer: number[] }>();
  const record = (name: string, ours: number, peer: number) => {
    const s = samples.get(name) ?? { ours: [], peer: [] };
    s.ours.push(ours);
    s.peer.push(peer);
    samples.set(name, s);
  };

  // Warm up connections, scripts and JIT.
  await sequential(2_000, (i) => sharded.set(key(i), value));
  await sequential(2_000, (i) => plain.set(key(i), value));
  await sequential(500, (i) => ha.write((c) => c.set(key(i), value)));
  await sequential(500, () => counter.increment());

  for (let round = 0; round < ROUNDS; round++) {
    record("SET, one at a time (latency)", await sequential(SEQ, (i) => sharded.set(key(i), value)), await sequential(SEQ, (i) => plain.set(key(i), value)));
    record("GET, one at a time (latency)", await sequential(SEQ, (i) => sharded.get(key(i))), await sequential(SEQ, (i) => plain.get(key(i))));
    record(
      "SET+GET, 64 in flight (throughput)",
      await concurrent(CONC, 64, (i) => (i % 2 ? sharded.get(key(i)) : sharded.set(key(i), value))),
      await concurrent(CONC, 64, (i) => (i % 2 ? plain.get(key(i)) : plain.set(key(i), value))),
    );
    record(
      `pipeline of ${PIPE} SETs (throughput)`,
      await timePipeline(() => {
        const p = sharded.pipeline();
        for (let i = 0; i < PIPE; i++) p.set(key(i), value);
        return p.exec();
      }),
      await timePipeline(() => {
        const p = plain.pipeline();
        for (let i = 0; i < PIPE; i++) p.set(key(i), value);
        return p.exec();
      }),
    );
    record(
      "HA write, 3 replicas W=2 vs 1 server (latency)",
      await sequential(SEQ, (i) => ha.write((c) => c.set(key(i), value))),
      await sequential(SEQ, (i) => plain.set(key(i), value)),
    );
    record(
      "HA read, 3 replicas R=2 vs 1 server (latency)",
      await sequential(SEQ, (i) => ha.read((c) => c.get(key(i)))),
      await sequential(SEQ, (i) => plain.get(key(i))),
    );
    record(
      "PN-counter increment (HA, Lua) vs INCRBY on 1 server",
      await sequential(SEQ, () => counter.increment()),
      await sequential(SEQ, () => plain.incrby("bench:plain-counter", 1)),
    );
  }

  const throughput = (name: string) => name.includes("throughput");
  const rows: Row[] = [...samples].map(([name, s]) => {
    const ours = median(s.ours);
    const peer = median(s.peer);
    const show = throughput(name) ? opsPerSecond : micros;
    const target = name.startsWith("SET, one") || name.startsWith("GET, one") ? 1.1 : name.startsWith("HA ") ? 1.3 : undefined;
    return { case: name, ours: show(ours), peer: show(peer), ratio: median(s.ours.map((o, i) => o / s.peer[i]!)), target };
  });
  printTable(`redis: rony-ts vs plain ioredis on one server — median of ${ROUNDS} rounds; ratio = rony-ts time per op / peer time per op`, rows);

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
  await Promise.all([plain.quit(), sharded.quit(), ha.quit()]);
  await fleet.stop();
}

async function timePipeline(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / PIPE;
}
