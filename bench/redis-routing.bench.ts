/**
 * Is a sharded call's cost the router or the servers? One-at-a-time GET/SET on: one plain ioredis
 * client, three plain clients used round-robin (three servers, no router), the shards over the
 * same three servers, and one shard over the first server. Wall time and this process's CPU per
 * op, interleaved over ROUNDS rounds (median). shards / round-robin is the router's cost when
 * the servers are the same; 1 shard / plain is the client code alone. PIN=1 puts everything on CPU 0.
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { Redis } from "ioredis";
import { RedisFleet } from "../test/support/redis-server.js";
import { ShardedRedis } from "../runtime/redis/index.js";
import { median } from "./redis-measure.js";

const pinned = process.env.PIN === "1";
const ROUNDS = Number(process.env.ROUNDS ?? 9);
const N = 2_000;
if (pinned) spawnSync("taskset", ["-cp", "0", String(process.pid)]);
const fleet = await RedisFleet.start({ count: 3, cpus: pinned ? "0" : undefined });
const addresses = fleet.servers.map(({ host, port }) => ({ host, port }));
const connect = async (a: { host: string; port: number }) => {
  const client = new Redis({ ...a, lazyConnect: true });
  await client.connect();
  return client;
};
const plain = await connect(addresses[0]!);
const roundRobin = await Promise.all(addresses.map(connect));
const sharded = await ShardedRedis.connect({ name: "routing-3", nodes: addresses });
const sharded1 = await ShardedRedis.connect({ name: "routing-1", nodes: [addresses[0]!] });

try {
  const value = "x".repeat(64);
  const key = (i: number) => `bench:${i % 10_000}`;
  const run = async (op: (i: number) => Promise<unknown>) => {
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) await op(i);
    const wall = Number(process.hrtime.bigint() - t0) / N / 1000;
    const cpu = process.cpuUsage(cpu0);
    return { wall, cpu: (cpu.user + cpu.system) / N };
  };
  const cases: Record<string, (i: number) => Promise<unknown>> = {
    "plain SET": (i) => plain.set(key(i), value),
    "round-robin SET": (i) => roundRobin[i % 3]!.set(key(i), value),
    "3 shards SET": (i) => sharded.set(key(i), value),
    "1 shard SET": (i) => sharded1.set(key(i), value),
    "plain GET": (i) => plain.get(key(i)),
    "round-robin GET": (i) => roundRobin[i % 3]!.get(key(i)),
    "3 shards GET": (i) => sharded.get(key(i)),
    "1 shard GET": (i) => sharded1.get(key(i)),
  };
  for (const op of Object.values(cases)) await run(op); // warm-up
  const results: Record<string, { wall: number[]; cpu: number[] }> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of Object.entries(cases)) {
      const r = await run(op);
      const entry = (results[name] ??= { wall: [], cpu: [] });
      entry.wall.push(r.wall);
      entry.cpu.push(r.cpu);
    }
  }
  const ratio = (a: string, b: string, k: "wall" | "cpu") => median(results[a]![k].map((v, i) => v / results[b]![k][i]!)).toFixed(2);
  console.log(`\nredis routing: ${ROUNDS} rounds × ${N} calls, ${pinned ? "pinned to CPU 0" : "unpinned"}, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")}`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`  ${name.padEnd(16)} ${median(r.wall).toFixed(1).padStart(7)} µs/op   client CPU ${median(r.cpu).toFixed(2).padStart(6)} µs/op`);
  }
  for (const op of ["SET", "GET"]) {
    console.log(
      `  ${op}: 3 shards / plain ${ratio(`3 shards ${op}`, `plain ${op}`, "wall")}× = servers (round-robin / plain ${ratio(`round-robin ${op}`, `plain ${op}`, "wall")}×)` +
        ` × router (3 shards / round-robin ${ratio(`3 shards ${op}`, `round-robin ${op}`, "wall")}×); 1 shard / plain ${ratio(`1 shard ${op}`, `plain ${op}`, "wall")}× in time, ${ratio(`1 shard ${op}`, `plain ${op}`, "cpu")}× in client CPU`,
    );
  }
} finally {
  await Promise.allSettled([plain.quit(), ...roundRobin.map((c) => c.quit()), sharded.quit(), sharded1.quit()]);
  await fleet.stop();
}
