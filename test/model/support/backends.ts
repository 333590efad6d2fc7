// The three back-ends the shared suite runs on, each isolated: MariaDB tables under a fresh
// prefix (dropped afterwards), Redis keys under a fresh prefix (deleted afterwards), a new memory store.
import { randomBytes } from "node:crypto";
import { AccountModel, SessionModel, SiteSettingsModel } from "../../../generated/examples/accounts.models.js";
import { MemoryStore, MysqlStore, RedisStore, type ModelStore } from "../../../runtime/index.js";
import { requireMachineRedis, requireMariaDb } from "../../support/services.js";

export interface OpenBackend {
  readonly store: ModelStore;
  cleanup(): Promise<void>;
}

export interface Backend {
  readonly name: "memory" | "mysql" | "redis";
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
