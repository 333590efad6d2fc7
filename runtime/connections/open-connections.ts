// Opens the declared connections of a schema from their settings. Generated
// `open<File>Connections()` calls this and picks each connection out with its typed getter.
import { createRedisConnection, type RedisConnectionByKind } from "../redis/connections/create-connection.js";
import { MemoryStore } from "../model/memory/memory-store.js";
import { RaftStore } from "../model/raft/raft-store.js";
import { MysqlStore } from "../model/mysql/mysql-store.js";
import { RedisStore } from "../model/redis/redis-store.js";
import { KeyValueStore } from "../model/redis/key-value-store.js";
import type { ClusterRedis } from "../redis/cluster/cluster-redis.js";
import type { ShardedRedis } from "../redis/sharded/sharded-redis.js";
import { unavailable } from "../model/errors.js";
import { ConnectionError } from "../redis/errors.js";
import { clusterNodes, haOptions, noOptions, redisNodes, shardNodes } from "./redis-settings.js";
import { ConnectionConfigError, resolveSettings, type ConnectionDeclaration, type ConnectionSettings, type OpenConnectionsOptions } from "./settings.js";

/** What a custom connection kind's class implements; the generated `<Kind>Connection` skeleton declares it. */
export interface CustomConnection {
  readonly name: string;
  /** Connect; reject with an error naming the address when it fails. */
  connect(): Promise<void>;
  close(): Promise<void>;
}

export interface CustomConnectionConfig extends ConnectionSettings {
  readonly name: string;
  readonly kind: string;
}

type Opened = MemoryStore | RaftStore | MysqlStore | RedisStore | KeyValueStore | RedisConnectionByKind["redis_ha"] | CustomConnection;

export class OpenedConnections {
  readonly #opened = new Map<string, Opened>();

  constructor(
    private readonly declarations: readonly ConnectionDeclaration[],
    private readonly settings: ReadonlyMap<string, ConnectionSettings>,
  ) {}

  /** Opens every built-in connection at once; if one fails, closes the rest and rejects with its error. */
  async openBuiltins(): Promise<void> {
    const builtins = this.declarations.filter((d) => builtinKinds.has(d.kind));
    const results = await Promise.allSettled(builtins.map(async (d) => this.#opened.set(d.name, await this.#open(d).catch((error: unknown) => {
      // runtime/redis's ConnectionError names the connection and node; callers branch on UNAVAILABLE.
      if (error instanceof ConnectionError) throw unavailable(d.name, error.address, error.message);
      throw error;
    }))));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined) {
      await this.close();
      throw failed.reason;
    }
  }

  memory(name: string): MemoryStore {
    return this.#get(name, "memory") as MemoryStore;
  }

  /** A replicated store: hand it to the ReplicaNode that serves the services using it (docs/cluster.md). */
  raft(name: string): RaftStore {
    return this.#get(name, "raft") as RaftStore;
  }

  mysql(name: string): MysqlStore {
    return this.#get(name, "mysql") as MysqlStore;
  }

  redis(name: string): RedisStore {
    return this.#get(name, "redis") as RedisStore;
  }

  /** A model store over the shards; `.connection` is the ShardedRedis. */
  redisSharded(name: string): KeyValueStore<ShardedRedis> {
    return this.#get(name, "redis_sharded") as KeyValueStore<ShardedRedis>;
  }

  /** A model store over the cluster; `.connection` is the ClusterRedis. */
  redisCluster(name: string): KeyValueStore<ClusterRedis> {
    return this.#get(name, "redis_cluster") as KeyValueStore<ClusterRedis>;
  }

  redisHa(name: string): RedisConnectionByKind["redis_ha"] {
    return this.#get(name, "redis_ha") as RedisConnectionByKind["redis_ha"];
  }

  /** Builds a custom connection with the user's factory and connects it. */
  async custom<C extends CustomConnection>(name: string, factory: (config: CustomConnectionConfig) => C): Promise<C> {
    const declaration = this.#declaration(name);
    const connection = factory({ ...(this.settings.get(name) as ConnectionSettings), name, kind: declaration.kind });
    try {
      await connection.connect();
    } catch (error) {
      await this.close();
      throw unavailable(name, this.settings.get(name)?.url ?? "", `cannot connect (${(error as Error).message})`);
    }
    this.#opened.set(name, connection);
    return connection;
  }

  /** Closes every open connection, the last opened first; resolves when all are closed. */
  async close(): Promise<void> {
    const all = [...this.#opened.values()].reverse();
    this.#opened.clear();
    await Promise.allSettled(all.map((c) => ("quit" in c ? c.quit() : c.close())));
  }

  #declaration(name: string): ConnectionDeclaration {
    const found = this.declarations.find((d) => d.name === name);
    if (found === undefined) throw new ConnectionConfigError(name, "name", "is not declared");
    return found;
  }

  #get(name: string, kind: string): Opened {
    const opened = this.#opened.get(name);
    if (opened === undefined || this.#declaration(name).kind !== kind) throw new ConnectionConfigError(name, "kind", `is not an open ${kind} connection`);
    return opened;
  }

  async #open(d: ConnectionDeclaration): Promise<Opened> {
    const s = this.settings.get(d.name) as ConnectionSettings;
    const timeouts = { connectTimeoutMs: s.timeoutMs, commandTimeoutMs: s.timeoutMs };
    switch (d.kind) {
      case "memory":
        noOptions(d.name, s.options);
        return new MemoryStore(d.name);
      case "raft":
        return new RaftStore(d.name);
      case "mysql":
        noOptions(d.name, s.options);
        return MysqlStore.connect({ name: d.name, url: s.url, poolSize: s.poolSize, connectTimeoutMs: s.timeoutMs, tablePrefix: s.tablePrefix });
      case "redis":
        noOptions(d.name, s.options);
        return RedisStore.connect({ name: d.name, url: s.url, keyPrefix: s.keyPrefix, ...timeouts });
      case "redis_sharded": {
        const nodes = redisNodes(d.name, s.url);
        const kv = await createRedisConnection({ kind: "redis_sharded", name: d.name, nodes: shardNodes(d.name, nodes, s.options), ...timeouts, redisOptions: nodes.auth });
        return new KeyValueStore(kv, { keyPrefix: s.keyPrefix });
      }
      case "redis_cluster": {
        const nodes = redisNodes(d.name, s.url);
        const startupNodes = clusterNodes(d.name, nodes, s.options);
        const kv = await createRedisConnection({ kind: "redis_cluster", name: d.name, startupNodes, ...timeouts, redisOptions: nodes.auth });
        return new KeyValueStore(kv, { keyPrefix: s.keyPrefix });
      }
      case "redis_ha": {
        const nodes = redisNodes(d.name, s.url);
        // timeoutMs bounds connecting here; the per-call timeout is options.callTimeoutMs (RedisHa's default otherwise).
        return createRedisConnection({ kind: "redis_ha", name: d.name, replicas: nodes.addresses, connectTimeoutMs: s.timeoutMs, redisOptions: nodes.auth, ...haOptions(d.name, s.options) });
      }
      default:
        throw new ConnectionConfigError(d.name, "kind", `"${d.kind}" is not a built-in kind`);
    }
  }
}

const builtinKinds = new Set(["memory", "raft", "mysql", "redis", "redis_sharded", "redis_cluster", "redis_ha"]);

/** Resolves every declared connection's settings and opens the built-in ones. */
export async function openConnections(
  declarations: readonly ConnectionDeclaration[],
  options: OpenConnectionsOptions = {},
): Promise<OpenedConnections> {
  const opened = new OpenedConnections(declarations, resolveSettings(declarations, options));
  await opened.openBuiltins();
  return opened;
}
