// The three back-ends the shared suite runs on, each isolated: MariaDB tables under a fresh
// prefix (dropped afterwards), Redis keys under a fresh prefix (deleted afterwards), a new memory store.
import { randomBytes } from "node:crypto";
import { AccountModel, SessionModel, SiteSettingsModel } from "../../../generated/examples/accounts.models.js";
import { KeyValueStore, MemoryStore, MysqlStore, RedisStore, type ModelStore } from "../../../runtime/index.js";
import { ClusterRedis, ShardedRedis, SingleRedis, type KeyValueConnection } from "../../../runtime/redis/index.js";
import { RedisFleet } from "../../support/redis-server.js";
import { requireMachineRedis, requireMariaDb } from "../../support/services.js";

export interface OpenBackend {
  readonly store: ModelStore;
  cleanup(): Promise<void>;
}

export interface Backend {
  readonly name: "memory" | "mysql" | "redis" | "redis (KeyValueStore)" | "redis_sharded" | "redis_cluster";
  open(): Promise<OpenBackend>;
}

const models = [AccountModel, SessionModel, SiteSettingsModel];
const unique = () => randomBytes(4).toString("hex");

export const memoryBackend: Backend = {
  name: "memory",
  async open() {
    const store = new MemoryStore("main");
    return { store, cleanup: () => store.close() };
  },
};

export async function openMysql(tablePrefix = `t${unique()}_`, poolSize = 4): Promise<OpenBackend & { store: MysqlStore }> {
  const db = await requireMariaDb();
  const store = await MysqlStore.connect({
    name: "db",
    url: `mysql://${db.user}@${db.host}:${db.port}/${db.database}`,
    tablePrefix,
    poolSize,
  });
  await store.migrate(models);
  return {
    store,
    async cleanup() {
      for (const m of models) await store.pool.query(`DROP TABLE IF EXISTS \`${tablePrefix}${m.table}\``);
      await store.close();
    },
  };
}

export const mysqlBackend: Backend = { name: "mysql", open: () => openMysql() };

export async function openRedis(keyPrefix = `t${unique()}:`, port?: number): Promise<OpenBackend & { store: RedisStore }> {
  const redis = port === undefined ? await requireMachineRedis() : { host: "127.0.0.1", port };
  const store = await RedisStore.connect({ name: "cache", url: `redis://${redis.host}:${redis.port}`, keyPrefix });
  return {
    store,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await store.client.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
        if (keys.length > 0) await store.client.del(...keys);
        cursor = next;
      } while (cursor !== "0");
      await store.close();
    },
  };
}

export const redisBackend: Backend = { name: "redis", open: () => openRedis() };

/** A KeyValueStore on its own fleet of redis-server processes, stopped by cleanup(). */
export interface OpenFleetBackend<C extends KeyValueConnection> extends OpenBackend {
  readonly store: KeyValueStore<C>;
  readonly fleet: RedisFleet;
  readonly keyPrefix: string;
}

export async function openSharded(count = 3, claimGraceMs?: number): Promise<OpenFleetBackend<ShardedRedis>> {
  const fleet = await RedisFleet.start({ count });
  try {
    const kv = await ShardedRedis.connect({ name: "shards", nodes: fleet.servers.map((s) => ({ host: s.host, port: s.port })), commandTimeoutMs: 2_000 });
    const keyPrefix = `t${unique()}:`;
    const store = new KeyValueStore(kv, { keyPrefix, claimGraceMs });
    return { store, fleet, keyPrefix, cleanup: async () => { await store.close(); await fleet.stop(); } };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

export async function openCluster(claimGraceMs?: number, extraArgs?: readonly string[]): Promise<OpenFleetBackend<ClusterRedis>> {
  const fleet = await RedisFleet.start({ count: 3, cluster: true, extraArgs });
  try {
    const kv = await ClusterRedis.connect({ name: "cluster", startupNodes: fleet.servers.map((s) => ({ host: s.host, port: s.port })), commandTimeoutMs: 2_000 });
    const keyPrefix = `t${unique()}:`;
    const store = new KeyValueStore(kv, { keyPrefix, claimGraceMs });
    return { store, fleet, keyPrefix, cleanup: async () => { await store.close(); await fleet.stop(); } };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

export const shardedBackend: Backend = { name: "redis_sharded", open: () => openSharded() };
export const clusterBackend: Backend = { name: "redis_cluster", open: () => openCluster() };

/**
 * The sharded write path (claims first, scripts of one tag) on the machine's one server, through
 * SingleRedis with its portable-keys rule: a key of another tag in a script would fail here too.
 */
export const keyValueSingleBackend: Backend = {
  name: "redis (KeyValueStore)",
  async open() {
    const redis = await requireMachineRedis();
    const kv = await SingleRedis.connect({ name: "single", address: { host: redis.host, port: redis.port } });
    const keyPrefix = `t${unique()}:`;
    const store = new KeyValueStore(kv, { keyPrefix });
    return {
      store,
      async cleanup() {
        const keys: string[] = [];
        for await (const key of kv.scanKeys(`${keyPrefix}*`)) keys.push(key);
        for (const key of keys) await kv.del(key);
        await store.close();
      },
    };
  },
};
