// Generated connection objects: settings from file, code and environment; typed properties;
// failures that name the connection and its address; a custom kind completed by the user.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AuditLogConnection, openAuditConnections } from "../../generated/examples/audit.connections.js";
import { createAuditModels } from "../../generated/examples/audit.models.js";
import { openAccountsConnections } from "../../generated/examples/accounts.connections.js";
import { createAccountsModels, migrateAccountsModels } from "../../generated/examples/accounts.models.js";
import { openNotesConnections } from "../../generated/examples/notes.connections.js";
import { createNotesModels } from "../../generated/examples/notes.models.js";
import { ConnectionConfigError, ErrorCode, KeyValueStore, MysqlStore, RaftStore, openConnections, RedisStore, RonyError, resolveSettings, type CustomConnectionConfig } from "../../runtime/index.js";
import { ClusterRedis, ShardedRedis } from "../../runtime/redis/index.js";
import { RedisFleet, unusedPort } from "../support/redis-server.js";
import { requireMachineRedis, requireMariaDb } from "../support/services.js";
import { account } from "./support/records.js";

const declarations = [
  { name: "db", kind: "mysql" },
  { name: "cache", kind: "redis" },
  { name: "replica", kind: "redis" },
];

function configFile(content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "rony-config-")), "rony.config.json");
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("connection settings", () => {
  it("takes built-in defaults when nothing is configured", () => {
    const s = resolveSettings(declarations, { env: {} });
    expect(s.get("db")).toMatchObject({ url: "mysql://root@127.0.0.1:3306/rony", poolSize: 10, timeoutMs: 5000 });
    expect(s.get("cache")?.url).toBe("redis://127.0.0.1:6379");
  });

  it("lets the environment override the file, and a name beat its kind", () => {
    const file = configFile({ connections: { db: { url: "mysql://u@file:3306/app", poolSize: 3, tablePrefix: "app_" }, cache: { url: "redis://file:1" } } });
    const s = resolveSettings(declarations, {
      configFile: file,
      env: { MYSQL_URL: "mysql://u@kind:3306/app", REDIS_URL: "redis://kind:2", CACHE_URL: "redis://name:3", DB_POOL_SIZE: "7" },
    });
    expect(s.get("db")).toMatchObject({ url: "mysql://u@kind:3306/app", poolSize: 7, tablePrefix: "app_" });
    // Two redis connections: REDIS_URL would be ambiguous, so only the names count.
    expect(s.get("cache")?.url).toBe("redis://name:3");
    expect(s.get("replica")?.url).toBe("redis://127.0.0.1:6379");
  });

  it("takes settings given in code between the file and the environment", () => {
    const s = resolveSettings(declarations, { settings: { db: { url: "mysql://u@code:1/x", timeoutMs: 250 } }, env: { DB_TIMEOUT_MS: "900" } });
    expect(s.get("db")).toMatchObject({ url: "mysql://u@code:1/x", timeoutMs: 900 });
  });

  it("names the connection and setting of a bad value", () => {
    expect(() => resolveSettings(declarations, { env: { DB_POOL_SIZE: "lots" } })).toThrow(ConnectionConfigError);
    expect(() => resolveSettings(declarations, { env: { DB_POOL_SIZE: "0" } })).toThrow(/connection "db": DB_POOL_SIZE must be a positive integer/);
    expect(() => resolveSettings(declarations, { configFile: configFile({ nope: 1 }), env: {} })).toThrow(/needs a "connections" object/);
  });
});

describe("generated connections", () => {
  it("opens a raft connection, which the generated models use as a memory store until a replica set serves it", async () => {
    const connections = await openNotesConnections({ env: {} });
    expect(connections.main).toBeInstanceOf(RaftStore);
    const { note } = createNotesModels(connections);
    await note.insert({ notebook: "n", id: 1n, slug: "s", title: "t", body: "", tags: [] });
    expect((await note.findBySlug("n", "s"))?.title).toBe("t");
    await connections.close();
  });

  it("opens mysql and redis from environment URLs, migrates and serves models", async () => {
    const [db, redis] = await Promise.all([requireMariaDb(), requireMachineRedis()]);
    const prefix = `c${process.pid}_`;
    const connections = await openAccountsConnections({
      settings: { db: { tablePrefix: prefix }, cache: { keyPrefix: `${prefix}:` } },
      env: { DB_URL: `mysql://${db.user}@${db.host}:${db.port}/${db.database}`, REDIS_URL: `redis://${redis.host}:${redis.port}`, DB_POOL_SIZE: "2" },
    });
    try {
      expect(connections.db).toBeInstanceOf(MysqlStore);
      expect(connections.cache).toBeInstanceOf(RedisStore);
      await migrateAccountsModels(connections);
      const models = createAccountsModels(connections);
      const a = await models.account.insert(account({ tenant: "conn" }));
      expect(await models.account.get(a)).toEqual(a);
      await models.session.insert({ accountId: 1n, createdAt: 2n, token: `${prefix}tok`, device: "d" });
      expect((await models.session.findByToken(`${prefix}tok`))?.device).toBe("d");
      await models.session.delete({ accountId: 1n, createdAt: 2n, token: `${prefix}tok` });
    } finally {
      await connections.db.pool.query(`DROP TABLE IF EXISTS \`${prefix}account\`, \`${prefix}session\`, \`${prefix}site_settings\``);
      await connections.cache.client.del(`${prefix}:session:count`);
      await connections.close();
    }
  });

  it("names the connection and address of a mysql server that is not there", async () => {
    const port = await unusedPort();
    const error = await openAccountsConnections({ env: { DB_URL: `mysql://root@127.0.0.1:${port}/test`, DB_TIMEOUT_MS: "1000" } }).catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toContain(`connection "db" (mysql://root@127.0.0.1:${port}/test)`);
  });

  it("says which database to create when the server has no such database", async () => {
    const [db, redis] = await Promise.all([requireMariaDb(), requireMachineRedis()]);
    const missing = `rony_missing_${process.pid}`;
    const env = { DB_URL: `mysql://${db.user}@${db.host}:${db.port}/${missing}`, REDIS_URL: `redis://${redis.host}:${redis.port}` };
    const error = await openAccountsConnections({ env }).catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toBe(
      `UNAVAILABLE: connection "db" (mysql://root@${db.host}:${db.port}/${missing}): the database "${missing}" does not exist on ${db.host}:${db.port}: ` +
        `create it (CREATE DATABASE \`${missing}\`) or set this connection's url to a database that exists`,
    );
  });

  it("names the connection and address of a redis server that is not there", async () => {
    const [db, port] = await Promise.all([requireMariaDb(), unusedPort()]);
    const error = await openAccountsConnections({
      env: { DB_URL: `mysql://${db.user}@${db.host}:${db.port}/${db.database}`, CACHE_URL: `redis://127.0.0.1:${port}`, CACHE_TIMEOUT_MS: "500" },
    }).catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toContain(`connection "cache" (127.0.0.1:${port})`);
  });
});

describe("sharded and cluster connections", () => {
  it.each([
    ["redis_sharded", false, ShardedRedis],
    ["redis_cluster", true, ClusterRedis],
  ] as const)("open %s as a model store the generated repositories take unchanged", async (kind, cluster, type) => {
    const fleet = await RedisFleet.start({ count: 3, cluster });
    try {
      const opened = await openConnections([{ name: "db", kind: "memory" }, { name: "cache", kind }], {
        env: { CACHE_URL: fleet.servers.map((s) => `redis://${s.address}`).join(",") },
      });
      const cache = kind === "redis_sharded" ? opened.redisSharded("cache") : opened.redisCluster("cache");
      expect(cache).toBeInstanceOf(KeyValueStore);
      expect(cache.connection).toBeInstanceOf(type);
      expect([cache.kind, cache.name]).toEqual([kind, "cache"]);
      const { session } = createAccountsModels({ db: opened.memory("db"), cache });
      const s = await session.insert({ accountId: 4n, createdAt: 2n, token: "tok", device: "d" });
      expect(await session.findByToken("tok")).toEqual(s);
      await opened.close();
    } finally {
      await fleet.stop();
    }
  });

  it("names the connection when a shard cannot be reached", async () => {
    const port = await unusedPort();
    const error = await openConnections([{ name: "cache", kind: "redis_sharded" }], { env: { CACHE_URL: `redis://127.0.0.1:${port}`, CACHE_TIMEOUT_MS: "500" } })
      .catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toContain(`connection "cache"`);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

/** What a user writes to complete the generated skeleton of the "audit_log" kind. */
class FileShipper extends AuditLogConnection {
  readonly shipped: string[] = [];
  open = false;

  async connect(): Promise<void> {
    if (!this.config.url.startsWith("file:")) throw new Error(`cannot ship to ${this.config.url}`);
    this.open = true;
  }

  async close(): Promise<void> {
    this.open = false;
  }
}

describe("a custom connection kind", () => {
  it("is built by the user's factory from its settings, connected, and closed with the rest", async () => {
    let seen: CustomConnectionConfig | undefined;
    const connections = await openAuditConnections({
      env: { SHIPPER_URL: "file:/tmp/audit" },
      settings: { shipper: { options: { batch: 10 } } },
      custom: { shipper: (config) => ((seen = config), new FileShipper("shipper", config)) },
    });
    expect(connections.shipper).toBeInstanceOf(FileShipper);
    expect(seen).toMatchObject({ name: "shipper", kind: "audit_log", url: "file:/tmp/audit", options: { batch: 10 } });
    expect((connections.shipper as FileShipper).open).toBe(true);
    const { auditEntry } = createAuditModels(connections);
    await auditEntry.insert({ actor: "ann", at: 1n, action: "login" });
    expect((await auditEntry.findByAction("login")).items).toHaveLength(1);
    await connections.close();
    expect((connections.shipper as FileShipper).open).toBe(false);
  });

  it("names the connection when the user's connect() fails", async () => {
    const error = await openAuditConnections({ env: { SHIPPER_URL: "tcp://nowhere:1" }, custom: { shipper: (c) => new FileShipper("shipper", c) } })
      .catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as Error).message).toContain(`connection "shipper" (tcp://nowhere:1): cannot connect (cannot ship to tcp://nowhere:1)`);
  });
});
