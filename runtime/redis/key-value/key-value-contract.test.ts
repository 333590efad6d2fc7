/**
 * One suite, three kinds: the KeyValueConnection surface a model back-end is written against
 * behaves the same on one server, on client-side shards and on a real Redis Cluster.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet } from "../../../test/support/redis-server.js";
import { createRedisConnection } from "../connections/create-connection.js";
import { CrossShardError, NoRoutingKeyError, RedisReplyError } from "../errors.js";
import type { KeyValueConnection } from "./key-value-connection.js";
import { shardedKey } from "./keys.js";

/**
 * What a generated model back-end looks like against KeyValueConnection: a User sharded by
 * `tenant`. Every key of one tenant shares the tag, so the unique-email insert is one script.
 */
class UserRepository {
  private static readonly INSERT = `
    if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
    redis.call('HSET', KEYS[1], 'id', ARGV[1], 'email', ARGV[2], 'tenant', ARGV[3])
    redis.call('SET', KEYS[2], ARGV[1])
    redis.call('SADD', KEYS[3], ARGV[1])
    return 1`;

  constructor(private readonly kv: KeyValueConnection) {}

  keys(tenant: string, id: string, email: string): [string, string, string] {
    return [shardedKey("user", tenant, id), shardedKey("user", tenant, "email", email), shardedKey("user", tenant, "all")];
  }

  async insert(user: { tenant: string; id: string; email: string }): Promise<boolean> {
    const keys = this.keys(user.tenant, user.id, user.email);
    return (await this.kv.eval(UserRepository.INSERT, keys, [user.id, user.email, user.tenant])) === 1;
  }

  async byEmail(tenant: string, email: string): Promise<Record<string, string> | undefined> {
    const id = await this.kv.get(shardedKey("user", tenant, "email", email));
    return id === null ? undefined : this.kv.hgetall(shardedKey("user", tenant, id));
  }

  async ids(tenant: string): Promise<string[]> {
    return (await this.kv.smembers(shardedKey("user", tenant, "all"))).sort();
  }
}

const fleets: RedisFleet[] = [];
const connections = new Map<string, KeyValueConnection>();

beforeAll(async () => {
  const [single, shards, cluster] = await Promise.all([
    RedisFleet.start({ count: 1 }),
    RedisFleet.start({ count: 3 }),
    RedisFleet.start({ count: 3, cluster: true }),
  ]);
  fleets.push(single, shards, cluster);
  const addresses = (f: RedisFleet) => f.servers.map(({ host, port }) => ({ host, port }));
  connections.set("redis", await createRedisConnection({ kind: "redis", name: "kv-single", address: addresses(single)[0]! }));
  connections.set("redis_sharded", await createRedisConnection({ kind: "redis_sharded", name: "kv-sharded", nodes: addresses(shards) }));
  connections.set("redis_cluster", await createRedisConnection({ kind: "redis_cluster", name: "kv-cluster", startupNodes: addresses(cluster) }));
}, 60_000);

afterAll(async () => {
  await Promise.all([...connections.values()].map((c) => c.quit()));
  await Promise.all(fleets.map((f) => f.stop()));
});

/** Two keys with different owners (for the single server: different hash tags). */
function keysOnDifferentShards(kv: KeyValueConnection): [string, string] {
  if (kv.kind === "redis") return ["a:{1}", "a:{2}"];
  for (let i = 2; i < 1_000; i++) {
    if (kv.ownerOf(`k:${i}`) !== kv.ownerOf("k:1")) return ["k:1", `k:${i}`];
  }
  throw new Error("no two keys on different shards");
}

describe.each(["redis", "redis_sharded", "redis_cluster"])("KeyValueConnection on %s", (kind) => {
  const kv = () => connections.get(kind)!;

  it("strings: set/get/getBuffer, NX, TTL, incrBy, del", async () => {
    expect(await kv().set("s:1", "one")).toBe(true);
    expect(await kv().get("s:1")).toBe("one");
    expect(await kv().getBuffer("s:1")).toEqual(Buffer.from("one"));
    expect(await kv().set("s:1", "again", { onlyIfAbsent: true })).toBe(false);
    expect(await kv().set("s:ttl", "x", { ttlMs: 60_000 })).toBe(true);
    expect(await kv().call("pttl", "s:ttl")).toBeGreaterThan(0);
    expect(await kv().incrBy("s:n", 5)).toBe(5);
    expect(await kv().del("s:1")).toBe(1);
    expect(await kv().get("s:1")).toBeNull();
    expect(await kv().expire("s:none", 1000)).toBe(false);
  });

  it("hashes, sets and sorted sets", async () => {
    expect(await kv().hset("h:{u1}", { name: "Ada", age: 36 })).toBe(2);
    expect(await kv().hgetall("h:{u1}")).toEqual({ name: "Ada", age: "36" });
    expect(await kv().hget("h:{u1}", "name")).toBe("Ada");
    expect(await kv().hmget("h:{u1}", ["age", "missing"])).toEqual(["36", null]);
    expect(await kv().hincrBy("h:{u1}", "age", 1)).toBe(37);
    expect(await kv().hdel("h:{u1}", "age")).toBe(1);
    expect(await kv().sadd("set:{u1}", "a", "b")).toBe(2);
    expect((await kv().smembers("set:{u1}")).sort()).toEqual(["a", "b"]);
    expect(await kv().sismember("set:{u1}", "a")).toBe(true);
    expect(await kv().srem("set:{u1}", "a")).toBe(1);
    await kv().zadd("z:{u1}", 2, "two");
    await kv().zadd("z:{u1}", 1, "one");
    await kv().zadd("z:{u1}", 3, "three");
    expect(await kv().zrangeByScore("z:{u1}", 1, 2)).toEqual(["one", "two"]);
    expect(await kv().zrangeByScore("z:{u1}", "-inf", "+inf", { offset: 1, count: 1 })).toEqual(["two"]);
    expect(await kv().zrem("z:{u1}", "one")).toBe(1);
  });

  it("multi-key commands and scripts work on one {tag} and fail with CrossShardError across shards", async () => {
    await kv().set("m:{t}:a", "1");
    await kv().set("m:{t}:b", "2");
    expect(await kv().call("mget", "m:{t}:a", "m:{t}:b")).toEqual(["1", "2"]);
    expect(await kv().exists("m:{t}:a", "m:{t}:b")).toBe(2);
    const script = "return redis.call('GET', KEYS[1]) .. redis.call('GET', KEYS[2]) .. ARGV[1]";
    expect(await kv().eval(script, ["m:{t}:a", "m:{t}:b"], ["!"])).toBe("12!");
    expect(await kv().eval(script, ["m:{t}:a", "m:{t}:b"], ["?"])).toBe("12?"); // cached: EVALSHA path

    const [x, y] = keysOnDifferentShards(kv());
    const error = await kv().del(x, y).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CrossShardError);
    expect((error as CrossShardError).code).toBe("CROSS_SHARD");
    expect((error as CrossShardError).keys).toEqual([x, y]);
    await expect(kv().eval(script, [x, y])).rejects.toBeInstanceOf(CrossShardError);
    await expect(kv().call("mget", x, y)).rejects.toBeInstanceOf(CrossShardError);
  });

  it("forwards any command by its key; keyless commands get NoRoutingKeyError", async () => {
    expect(await kv().call("RPUSH", "l:{q}", "a", "b", "c")).toBe(3);
    expect(await kv().call("lrange", "l:{q}", 0, -1)).toEqual(["a", "b", "c"]);
    expect(await kv().call("LMOVE", "l:{q}", "l:{q}:done", "LEFT", "RIGHT")).toBe("a");
    await expect(kv().call("PING")).rejects.toBeInstanceOf(NoRoutingKeyError);
  });

  it("Redis reply errors keep Redis' code", async () => {
    await kv().set("e:str", "x");
    const error = await kv().sadd("e:str", "m").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedisReplyError);
    expect((error as RedisReplyError).code).toBe("REPLY_ERROR");
    expect((error as RedisReplyError).redisCode).toBe("WRONGTYPE");
  });

  it("pipelines keys from every shard and returns replies in order", async () => {
    const pipe = kv().pipeline();
    for (let i = 0; i < 200; i++) pipe.set(`p:${i}`, String(i));
    for (let i = 0; i < 200; i++) pipe.get(`p:${i}`);
    pipe.hset("p:{h}", { f: 1 }).hgetall("p:{h}");
    const results = await pipe.exec();
    expect(results.length).toBe(402);
    expect(results.slice(0, 200).every(([e, r]) => e === null && r === "OK")).toBe(true);
    expect(results.slice(200, 400).map(([, r]) => r)).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(results[401]).toEqual([null, { f: "1" }]);
    if (kind !== "redis") expect(new Set(Array.from({ length: 200 }, (_, i) => kv().ownerOf(`p:${i}`))).size).toBe(3);
  });

  it("MULTI/EXEC: a record and its index keys under one {shard key} commit together", async () => {
    const results = await kv()
      .multi()
      .hset("user:{42}", { id: "42", email: "ada@example.com" })
      .set("user:{42}:email", "ada@example.com")
      .sadd("user:{42}:roles", "admin")
      .exec();
    expect(results.map(([e]) => e)).toEqual([null, null, null]);
    expect(await kv().hgetall("user:{42}")).toEqual({ id: "42", email: "ada@example.com" });
    expect(kv().ownerOf("user:{42}")).toBe(kv().ownerOf("user:{42}:roles"));

    const [x, y] = keysOnDifferentShards(kv());
    expect(() => kv().multi().set(x, "1").set(y, "2")).toThrow(CrossShardError);
  });

  it("a model written once against the interface routes by its shard key", async () => {
    const users = new UserRepository(kv());
    const tenants = Array.from({ length: 12 }, (_, i) => `tenant-${i}`);
    for (const tenant of tenants) {
      expect(await users.insert({ tenant, id: "1", email: "a@x.io" })).toBe(true);
      expect(await users.insert({ tenant, id: "2", email: "b@x.io" })).toBe(true);
      expect(await users.insert({ tenant, id: "3", email: "a@x.io" })).toBe(false); // unique per tenant
    }
    for (const tenant of tenants) {
      expect(await users.byEmail(tenant, "b@x.io")).toEqual({ id: "2", email: "b@x.io", tenant });
      expect(await users.ids(tenant)).toEqual(["1", "2"]);
      const owners = new Set(users.keys(tenant, "1", "a@x.io").map((k) => kv().ownerOf(k)));
      expect(owners.size).toBe(1); // a record and its index keys live together
    }
    const spread = new Set(tenants.map((t) => kv().ownerOf(shardedKey("user", t, "1"))));
    expect(spread.size).toBe(kind === "redis" ? 1 : 3); // tenants spread over the shards
  });

  it("scans keys on every node", async () => {
    for (let i = 0; i < 30; i++) await kv().set(`scan:${i}`, "1");
    const found: string[] = [];
    for await (const key of kv().scanKeys("scan:*")) found.push(key);
    expect(new Set(found).size).toBe(30);
  });
});
