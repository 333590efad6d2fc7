// The multi-node Redis kinds opened from settings: the URL's password and db reach every node
// (servers started with --requirepass), and `options` sets shard weights, HA quorums and the HA
// per-call timeout; an option that cannot be honoured is a ConnectionConfigError naming it.
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccountsModels } from "../../generated/examples/accounts.models.js";
import { ConnectionConfigError, openConnections } from "../../runtime/index.js";
import { RedisFleet } from "../support/redis-server.js";

const password = "s3cret:with@chars";
const secretInUrl = encodeURIComponent(password);

/** What one server holds in `db`, read by a client of our own. */
async function keysIn(fleet: RedisFleet, i: number, db: number): Promise<string[]> {
  const server = fleet.servers[i]!;
  const client = new Redis({ host: server.host, port: server.port, password, db, lazyConnect: true });
  try {
    await client.connect();
    return await client.keys("*");
  } finally {
    client.disconnect();
  }
}

describe("redis_sharded and redis_ha on servers that require a password", () => {
  let fleet: RedisFleet;
  const urls = (db: number) => fleet.servers.map((s) => `redis://:${secretInUrl}@${s.address}/${db}`).join(",");

  beforeAll(async () => {
    fleet = await RedisFleet.start({ count: 3, password });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it("logs every shard in, writes in the URL's db, and weighs the shards by options.weights", async () => {
    const opened = await openConnections([{ name: "db", kind: "memory" }, { name: "cache", kind: "redis_sharded" }], {
      settings: { cache: { url: urls(3), keyPrefix: "auth:", options: { weights: [1, 1, 2] } } },
      env: {},
    });
    try {
      const cache = opened.redisSharded("cache");
      const { session } = createAccountsModels({ db: opened.memory("db"), cache });
      for (let a = 0; a < 20; a++) await session.insert({ accountId: BigInt(a), createdAt: 1n, token: `t${a}`, device: "d" });
      expect((await session.findByToken("t7"))?.accountId).toBe(7n);
      const perServer = await Promise.all(fleet.servers.map((_, i) => keysIn(fleet, i, 3)));
      expect(perServer.flat().filter((k) => k.includes(":r:"))).toHaveLength(20);
      expect((await Promise.all(fleet.servers.map((_, i) => keysIn(fleet, i, 0)))).flat()).toEqual([]);
      // The weight-2 node owns about half of the keys (ketama: ~48 %), the others a quarter each.
      const owners = new Map<string, number>();
      for (let k = 0; k < 3_000; k++) {
        const owner = cache.connection.ownerOf(`key-${k}`);
        owners.set(owner, (owners.get(owner) ?? 0) + 1);
      }
      expect(owners.get(fleet.servers[2]!.address)).toBeGreaterThan(1_200);
      expect(owners.get(fleet.servers[0]!.address)).toBeLessThan(1_000);
    } finally {
      await opened.close();
    }
  });

  it("moves keys into the new node's db, logged in, when the shards grow", async () => {
    const opened = await openConnections([{ name: "cache", kind: "redis_sharded" }], {
      settings: { cache: { url: fleet.servers.slice(0, 2).map((s) => `redis://:${secretInUrl}@${s.address}/4`).join(",") } },
      env: {},
    });
    try {
      const kv = opened.redisSharded("cache").connection;
      for (let k = 0; k < 200; k++) await kv.set(`grow-${k}`, String(k));
      const report = await kv.addNode({ host: fleet.servers[2]!.host, port: fleet.servers[2]!.port });
      expect(report.moved).toBeGreaterThan(0);
      expect((await keysIn(fleet, 2, 4)).length).toBe(report.moved);
      for (let k = 0; k < 200; k += 17) expect(await kv.get(`grow-${k}`)).toBe(String(k));
    } finally {
      await opened.close();
    }
  });

  it("logs every replica in, uses the URL's db, and takes quorums and the per-call timeout from options", async () => {
    const opened = await openConnections([{ name: "ha", kind: "redis_ha" }], {
      settings: { ha: { url: urls(5), options: { writeQuorum: 3, readQuorum: 1, callTimeoutMs: 250 } } },
      env: {},
    });
    try {
      const ha = opened.redisHa("ha");
      expect([ha.writeQuorum, ha.readQuorum, ha.timeoutMs]).toEqual([3, 1, 250]);
      const written = await ha.write((client) => client.set("ha-key", "v"));
      expect(written.acks).toHaveLength(3);
      for (let i = 0; i < 3; i++) expect(await keysIn(fleet, i, 5)).toEqual(["ha-key"]);
    } finally {
      await opened.close();
    }
  });
});

describe("redis_cluster on servers that require a password", () => {
  let fleet: RedisFleet;

  beforeAll(async () => {
    fleet = await RedisFleet.start({ count: 3, cluster: true, password });
  });
  afterAll(async () => {
    await fleet?.stop();
  });

  it("logs in to every master the cluster client finds", async () => {
    const opened = await openConnections([{ name: "db", kind: "memory" }, { name: "cache", kind: "redis_cluster" }], {
      settings: { cache: { url: `redis://:${secretInUrl}@${fleet.servers[0]!.address}`, keyPrefix: "auth:" } },
      env: {},
    });
    try {
      const { session } = createAccountsModels({ db: opened.memory("db"), cache: opened.redisCluster("cache") });
      for (let a = 0; a < 12; a++) await session.insert({ accountId: BigInt(a), createdAt: 1n, token: `c${a}`, device: "d" });
      expect((await session.findByToken("c11"))?.accountId).toBe(11n);
      const holding = await Promise.all(fleet.servers.map((_, i) => keysIn(fleet, i, 0)));
      expect(holding.filter((keys) => keys.length > 0).length).toBeGreaterThan(1);
    } finally {
      await opened.close();
    }
  });
});

describe("options that cannot be honoured", () => {
  const open = (kind: string, url: string, options?: Record<string, unknown>) =>
    openConnections([{ name: "c", kind }], { settings: { c: { url, ...(options === undefined ? {} : { options }) } }, env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );

  it.each([
    ["redis_sharded", "redis://a:1,redis://b:2", { weight: [1, 2] }, /connection "c": options.weight is not an option \(known: weights\)/],
    ["redis_sharded", "redis://a:1,redis://b:2", { weights: [1] }, /options.weights must list a positive integer for each of the 2 URLs, got \[1\]/],
    ["redis_sharded", "redis://a:1,redis://b:2", { weights: [1, 0] }, /options.weights must list a positive integer/],
    ["redis_sharded", "redis://:x@a:1,redis://:y@b:2", undefined, /url must give every node the same user, password and db/],
    ["redis_sharded", "redis://a:1/x", undefined, /the path must be a db number, got "x"/],
    ["redis_cluster", "redis://a:1/2", undefined, /names db 2, but a Redis Cluster has only db 0/],
    ["redis_ha", "redis://a:1", { callTimeoutMs: -5 }, /options.callTimeoutMs must be a positive integer, got -5/],
    ["redis_ha", "redis://a:1", { timeoutMs: 5 }, /options.timeoutMs is not an option \(known: writeQuorum, readQuorum, callTimeoutMs\)/],
    ["redis", "redis://a:1", { weights: [1] }, /options.weights is not an option \(this kind takes none\)/],
  ])("%s %s with options %j", async (kind, url, options, message) => {
    const error = await open(kind, url, options);
    expect(error).toBeInstanceOf(ConnectionConfigError);
    expect((error as Error).message).toMatch(message);
  });
});
