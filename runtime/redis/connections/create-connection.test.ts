import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, unusedPort } from "../../../test/support/redis-server.js";
import { ConfigError, ConnectionError } from "../errors.js";
import { RedisHa } from "../ha/redis-ha.js";
import { ShardedRedis } from "../sharded/sharded-redis.js";
import { SingleRedis } from "../single/single-redis.js";
import { createRedisConnection, type RedisConnectionConfig } from "./create-connection.js";

let fleet: RedisFleet;
let dead: { host: string; port: number };
const live = (i: number) => ({ host: fleet.servers[i]!.host, port: fleet.servers[i]!.port });

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 3 });
  dead = { host: "127.0.0.1", port: await unusedPort() };
});
afterAll(() => fleet.stop());

async function connectionError(config: RedisConnectionConfig): Promise<ConnectionError> {
  const error = await createRedisConnection(config).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionError);
  expect((error as ConnectionError).code).toBe("CONNECTION_FAILED");
  return error as ConnectionError;
}

describe("createRedisConnection", () => {
  it("returns the class of each kind", async () => {
    const single = await createRedisConnection({ kind: "redis", name: "one", address: live(0) });
    const sharded = await createRedisConnection({ kind: "redis_sharded", name: "shards", nodes: [live(0), live(1)] });
    const ha = await createRedisConnection({ kind: "redis_ha", name: "ha", replicas: [live(0), live(1), live(2)], writeQuorum: 3, readQuorum: 1 });
    try {
      expect(single).toBeInstanceOf(SingleRedis);
      expect(sharded).toBeInstanceOf(ShardedRedis);
      expect(ha).toBeInstanceOf(RedisHa);
      expect([single.kind, sharded.kind, ha.kind]).toEqual(["redis", "redis_sharded", "redis_ha"]);
      expect([ha.writeQuorum, ha.readQuorum]).toEqual([3, 1]);
      expect(await single.set("f:k", "v")).toBe(true);
      expect(await sharded.get("f:k")).toBe(sharded.ownerOf("f:k") === fleet.servers[0]!.address ? "v" : null);
    } finally {
      await Promise.all([single.quit(), sharded.quit(), ha.quit()]);
    }
  });

  it("names the connection and the address it could not reach, for every kind", async () => {
    const port = `127.0.0.1:${dead.port}`;
    expect((await connectionError({ kind: "redis", name: "cache", address: dead })).message).toContain(`connection "cache" to ${port}`);
    const sharded = await connectionError({ kind: "redis_sharded", name: "shards", nodes: [live(0), dead] });
    expect(sharded.message).toContain(`connection "shards" to ${port}`);
    expect(sharded.address).toBe(port);
    const cluster = await connectionError({ kind: "redis_cluster", name: "clu", startupNodes: [dead] });
    expect(cluster.message).toContain(`connection "clu" to ${port}`);
    const ha = await connectionError({ kind: "redis_ha", name: "counters", replicas: [live(0), dead, { ...dead, port: 1 }] });
    expect(ha.message).toContain('connection "counters" to');
    expect(ha.message).toContain(port);
  });

  it("a node that dies later fails its calls with the node's address, not a hang", async () => {
    const extra = await RedisFleet.start({ count: 2 });
    const sharded = await ShardedRedis.connect({ name: "dying", nodes: extra.servers.map(({ host, port }) => ({ host, port })) });
    try {
      const victim = extra.servers[1]!.address;
      const key = Array.from({ length: 100 }, (_, i) => `d:${i}`).find((k) => sharded.ownerOf(k) === victim)!;
      const survivor = Array.from({ length: 100 }, (_, i) => `d:${i}`).find((k) => sharded.ownerOf(k) !== victim)!;
      await extra.kill(1);
      const error = await sharded.get(key).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as ConnectionError).address).toBe(victim);
      expect((error as Error).message).toContain(`connection "dying" to ${victim}`);
      expect(await sharded.set(survivor, "still here")).toBe(true);
    } finally {
      await sharded.quit();
      await extra.stop();
    }
  });

  it("rejects a config without a name", async () => {
    await expect(createRedisConnection({ kind: "redis", name: "", address: live(0) })).rejects.toThrow(ConfigError);
  });
});
