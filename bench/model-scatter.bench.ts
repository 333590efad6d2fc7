// What the cross-shard reads of a Redis model cost on 3 shards of our own: the whole-model
// count (SCAN every node for partition zsets, then ZCARD them) by records held, and a non-unique
// finder whose value is held by many shard keys (the directory lists them; one ZRANGEBYLEX per
// shard key, merged) against a partition list of the same page size. docs/models.md quotes it.
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { Session } from "../generated/examples/accounts.js";
import { SessionRepository } from "../generated/examples/accounts.models.js";
import { KeyValueStore } from "../runtime/index.js";
import { ShardedRedis } from "../runtime/redis/index.js";
import { RedisFleet } from "../test/support/redis-server.js";

const run = randomBytes(3).toString("hex");

async function perCall(times: number, op: () => Promise<unknown>): Promise<number> {
  await op();
  const started = process.hrtime.bigint();
  for (let i = 0; i < times; i++) await op();
  return Number(process.hrtime.bigint() - started) / 1e6 / times;
}

const fleet = await RedisFleet.start({ count: 3 });
const kv = await ShardedRedis.connect({ name: "bench", nodes: fleet.servers.map((s) => ({ host: s.host, port: s.port })) });
const store = new KeyValueStore(kv, { keyPrefix: `scatter${run}:` });
const sessions = new SessionRepository(store);
try {
  console.log("3 redis-server shards; ms per call (sequential)\n");
  console.log("records  whole-model count");
  let held = 0;
  for (const target of [1_000, 10_000, 50_000]) {
    // 100 records per partition: 10 to 500 partitions, keys ≈ records + partitions + device zsets.
    for (; held < target; held += 500) {
      await sessions.insertMany(Array.from({ length: 500 }, (_, j) => {
        const i = held + j;
        return Session.fromPartial({ accountId: BigInt(Math.floor(i / 100)), createdAt: BigInt(i), token: `${run}-${i}`, device: `d${i % 4}` });
      }));
    }
    console.log(`${String(target).padStart(7)}  ${(await perCall(5, () => sessions.count())).toFixed(2)}`);
  }

  console.log("\nshard keys holding the value  findByDevice (page of 50)  list of one partition (page of 50)");
  for (const spread of [1, 10, 100, 500]) {
    const device = `spread-${spread}`;
    const records = Array.from({ length: Math.max(spread, 100) }, (_, i) =>
      Session.fromPartial({ accountId: BigInt(1_000_000 + (i % spread)), createdAt: BigInt(i), token: `${run}-s${spread}-${i}`, device }));
    for (let i = 0; i < records.length; i += 500) await sessions.insertMany(records.slice(i, i + 500));
    const find = await perCall(20, () => sessions.findByDevice(device, { limit: 50 }));
    const list = await perCall(20, () => sessions.list({ accountId: 0n }, { limit: 50 }));
    console.log(`${String(spread).padStart(28)}  ${find.toFixed(2).padStart(25)}  ${list.toFixed(2).padStart(34)}`);
  }
  console.log(`\nload average: ${loadavg().map((x) => x.toFixed(1)).join(" ")} on ${cpus().length} cores`);
} finally {
  await store.close();
  await fleet.stop();
}
