import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, command } from "../../../test/support/redis-server.js";
import { ConfigError } from "../errors.js";
import { KetamaRing } from "../hashing/ketama-ring.js";
import { ShardedRedis } from "./sharded-redis.js";

let fleet: RedisFleet;
const address = (i: number) => ({ host: fleet.servers[i]!.host, port: fleet.servers[i]!.port });

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 5 });
});
afterAll(() => fleet.stop());

function flushAll(): Promise<string[]> {
  return Promise.all(fleet.servers.map((s) => command(s, "FLUSHALL")));
}

async function sizes(sharded: ShardedRedis): Promise<Map<string, number>> {
  return new Map(await sharded.forEachNode(async (client, addr) => [addr, await client.dbsize()] as const));
}

function percentages(counts: Map<string, number>, total: number): string {
  return [...counts].map(([addr, n]) => `${addr} ${((100 * n) / total).toFixed(1)}%`).join(", ");
}

describe("ShardedRedis on real servers", () => {
  it("stores each key on its ketama owner, and {tag}ged keys together", async () => {
    const sharded = await ShardedRedis.connect({ name: "owners", nodes: [0, 1, 2].map(address) });
    try {
      await sharded.forEachNode((c) => c.flushdb());
      const ring = new KetamaRing(sharded.addresses.map((id) => ({ id })));
      for (let i = 0; i < 300; i++) await sharded.set(`o:${i}`, String(i));
      for (let i = 0; i < 300; i++) {
        const owner = ring.nodeOf(`o:${i}`).id;
        expect(sharded.ownerOf(`o:${i}`)).toBe(owner);
        expect(await sharded.nodeFor(`o:${i}`).get(`o:${i}`)).toBe(String(i));
      }
      const onEach = await sizes(sharded);
      expect([...onEach.values()].reduce((a, b) => a + b)).toBe(300); // each key on exactly one node
      expect(Math.min(...onEach.values())).toBeGreaterThan(50);
      expect(await sharded.forward("get", "o:7")).toBe("7");
    } finally {
      await sharded.quit();
    }
  });

  it("gives a node of weight 2 about half of the keys among weights 1, 1, 2", async () => {
    const sharded = await ShardedRedis.connect({
      name: "weights",
      nodes: [{ ...address(0), weight: 1 }, { ...address(1), weight: 1 }, { ...address(2), weight: 2 }],
    });
    try {
      await sharded.forEachNode((c) => c.flushdb());
      const pipe = sharded.pipeline();
      for (let i = 0; i < 4_000; i++) pipe.set(`w:${i}`, "1");
      await pipe.exec();
      const onEach = await sizes(sharded);
      console.log(`weights 1/1/2 over 4000 keys: ${percentages(onEach, 4_000)}`);
      const heavy = onEach.get(fleet.servers[2]!.address)! / 4_000;
      expect(heavy).toBeGreaterThan(0.42);
      expect(heavy).toBeLessThan(0.58);
    } finally {
      await sharded.quit();
    }
  });

  it("adding a 4th node moves about 1/4 of the keys onto it and loses none; removing it moves them back", async () => {
    const sharded = await ShardedRedis.connect({ name: "grow", nodes: [0, 1, 2].map(address) });
    try {
      await flushAll();
      const total = 3_000;
      const pipe = sharded.pipeline();
      for (let i = 0; i < total; i++) {
        if (i % 10 === 0) pipe.hset(`g:${i}`, { v: String(i) });
        else pipe.set(`g:${i}`, String(i));
      }
      await pipe.exec();
      console.log(`3 nodes, ${total} keys: ${percentages(await sizes(sharded), total)}`);

      const report = await sharded.addNode(address(3));
      const after = await sizes(sharded);
      console.log(`4 nodes after rebalance: ${percentages(after, total)}`);
      console.log(`moved going 3 → 4 nodes: ${report.moved}/${total} = ${((100 * report.moved) / total).toFixed(1)}% (ideal 25.0%)`);
      expect(report.scanned).toBe(total);
      expect(report.moved / total).toBeGreaterThan(0.15);
      expect(report.moved / total).toBeLessThan(0.35);
      expect(after.get(fleet.servers[3]!.address)).toBe(report.moved);
      expect([...after.values()].reduce((a, b) => a + b)).toBe(total);
      for (let i = 0; i < total; i++) {
        if (i % 10 === 0) expect(await sharded.hget(`g:${i}`, "v")).toBe(String(i));
        else expect(await sharded.get(`g:${i}`)).toBe(String(i));
      }

      const back = await sharded.removeNode(fleet.servers[3]!.address);
      expect(back.moved).toBe(report.moved);
      expect(sharded.addresses).toHaveLength(3);
      for (let i = 1; i < total; i += 37) if (i % 10 !== 0) expect(await sharded.get(`g:${i}`)).toBe(String(i));
    } finally {
      await sharded.quit();
    }
  });

  it("during a rebalance, INCR, DEL and GET on moving keys see the old value and lose nothing", async () => {
    const sharded = await ShardedRedis.connect({ name: "live", nodes: [0, 1, 2].map(address) });
    try {
      await flushAll();
      const total = 2_000;
      const keys = Array.from({ length: total }, (_, i) => `live:${i}`);
      const pipe = sharded.pipeline();
      for (const key of keys) pipe.set(key, "100");
      await pipe.exec();
      const expected = new Map<string, number | null>(keys.map((k) => [k, 100]));

      await sharded.addNode(address(3), { rebalance: false });
      expect(sharded.rebalancing).toBe(true);
      const workload = (async () => {
        for (let i = 0; i < 600; i++) {
          const key = keys[(i * 7919) % total]!;
          if (i % 50 === 0) {
            // A pipeline over keys of every shard: its moving keys move before it is sent.
            const batch = keys.slice(i, i + 5).filter((k) => expected.get(k) !== null);
            const p = sharded.pipeline();
            for (const k of batch) p.incrBy(k, 10);
            const replies = await p.exec();
            batch.forEach((k, j) => {
              expect(replies[j]).toEqual([null, expected.get(k)! + 10]);
              expected.set(k, expected.get(k)! + 10);
            });
          } else if (i % 10 === 9) {
            await sharded.del(key);
            expected.set(key, null);
          } else if (expected.get(key) === null) {
            expect(await sharded.get(key)).toBeNull();
          } else {
            expect(await sharded.incrBy(key, 1)).toBe(expected.get(key)! + 1);
            expected.set(key, expected.get(key)! + 1);
          }
        }
      })();
      const [report] = await Promise.all([sharded.rebalance(undefined, { batch: 20 }), workload]);
      expect(sharded.rebalancing).toBe(false);
      expect(report.keptNewer).toBe(0);
      for (const key of keys) {
        const want = expected.get(key)!;
        expect(await sharded.get(key)).toBe(want === null ? null : String(want));
      }
      const onEach = await sizes(sharded);
      expect([...onEach.values()].reduce((a, b) => a + b)).toBe([...expected.values()].filter((v) => v !== null).length);
    } finally {
      await sharded.removeNode(fleet.servers[3]!.address).catch(() => undefined);
      await sharded.quit();
    }
  });

  it("keeps a copy written straight onto the new owner (bypassing the router) over the stale one", async () => {
    const sharded = await ShardedRedis.connect({ name: "newer", nodes: [0, 1, 2].map(address) });
    try {
      await flushAll();
      for (let i = 0; i < 500; i++) await sharded.set(`n:${i}`, "old");
      const before = new KetamaRing(sharded.addresses.map((id) => ({ id })));
      await sharded.addNode(address(3), { rebalance: false });
      const moving = Array.from({ length: 500 }, (_, i) => `n:${i}`).filter((k) => before.nodeOf(k).id !== sharded.ownerOf(k));
      expect(moving.length).toBeGreaterThan(0);
      await sharded.nodeFor(moving[0]!).set(moving[0]!, "new"); // e.g. another client already on the new ring
      const report = await sharded.rebalance();
      expect(report.keptNewer).toBe(1);
      expect(report.moved).toBe(moving.length - 1);
      expect(await sharded.get(moving[0]!)).toBe("new");
      for (const key of moving.slice(1)) expect(await sharded.get(key)).toBe("old");
      expect((await sizes(sharded)).get(fleet.servers[3]!.address)).toBe(moving.length);
    } finally {
      await sharded.quit();
    }
  });

  it("rejects duplicate nodes, bad weights and unknown removals with ConfigError", async () => {
    await expect(ShardedRedis.connect({ name: "dup", nodes: [address(0), address(0)] })).rejects.toThrow(ConfigError);
    await expect(ShardedRedis.connect({ name: "w", nodes: [{ ...address(0), weight: 0 }] })).rejects.toThrow(/weight of .* must be > 0/);
    const sharded = await ShardedRedis.connect({ name: "rm", nodes: [address(4)] });
    try {
      await expect(sharded.removeNode("10.9.9.9:1")).rejects.toThrow(ConfigError);
      await expect(sharded.removeNode(fleet.servers[4]!.address)).rejects.toThrow(/cannot remove the last node/);
    } finally {
      await sharded.quit();
    }
  });
});
