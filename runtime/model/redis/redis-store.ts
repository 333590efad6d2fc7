// The redis kind: one ioredis client. Records are protobuf bytes in a hash, indexes and
// partition lists are zsets and strings kept in step by Lua scripts (keys.ts, scripts.ts); on
// one server every write is one script.
import type { Redis } from "ioredis";
import { closeClient, connectClient, createClient } from "../../redis/connections/clients.js";
import type { ModelDescriptor } from "../descriptor.js";
import { unavailable } from "../errors.js";
import type { ChangeFeed, ChangeFeedSource } from "../change-feed.js";
import type { ModelStore, ModelTable } from "../store.js";
import { PublishingTable, RedisChangeFeeds } from "./redis-change-feed.js";
import { RedisTable } from "./redis-table.js";
import { ServerTarget, type RedisTarget } from "./redis-target.js";

export interface RedisConfig {
  readonly name: string;
  /** redis://[:password@]host:port[/db] */
  readonly url: string;
  /** Prepended to every key (tests use it to keep their own keys). */
  readonly keyPrefix?: string;
  /** Give up connecting after this time; default 2000 ms. */
  readonly connectTimeoutMs?: number;
  /** Reject a command with no reply in this time; default 5000 ms. */
  readonly commandTimeoutMs?: number;
}

/** Shared by the Redis stores: one table object per model. */
export class RedisTables {
  readonly #tables = new Map<string, RedisTable<unknown>>();

  constructor(
    private readonly target: RedisTarget,
    private readonly keyPrefix: string,
    private readonly claimGraceMs: number,
  ) {}

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    let table = this.#tables.get(model.name);
    if (table === undefined) {
      table = new RedisTable(model as ModelDescriptor<unknown>, this.target, { keyPrefix: this.keyPrefix, claimGraceMs: this.claimGraceMs });
      this.#tables.set(model.name, table);
    }
    return table as ModelTable<T>;
  }
}

export class RedisStore implements ModelStore, ChangeFeedSource {
  readonly kind = "redis";
  readonly #tables: RedisTables;
  readonly #feeds: RedisChangeFeeds;

  constructor(
    readonly name: string,
    /** The ioredis client, for commands outside the models. */
    readonly client: Redis,
    /** `host:port`, as errors print it. */
    readonly address: string,
    keyPrefix = "",
  ) {
    this.#tables = new RedisTables(new ServerTarget(client, name, address), keyPrefix, 0);
    this.#feeds = new RedisChangeFeeds(client, keyPrefix);
  }

  /** Connects; rejects with UNAVAILABLE naming the connection and its address. */
  static async connect(config: RedisConfig): Promise<RedisStore> {
    const u = new URL(config.url);
    if (u.protocol !== "redis:") throw new Error(`connection "${config.name}": "${config.url}" is not a redis:// URL`);
    const address = { host: u.hostname || "127.0.0.1", port: u.port === "" ? 6379 : Number(u.port) };
    const printable = `${address.host}:${address.port}`;
    const client = createClient(address, {
      connectTimeoutMs: config.connectTimeoutMs ?? 2_000,
      commandTimeoutMs: config.commandTimeoutMs ?? 5_000,
      redisOptions: {
        password: u.password === "" ? undefined : decodeURIComponent(u.password),
        db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
      },
    });
    try {
      await connectClient(client, config.name, address);
    } catch (error) {
      throw unavailable(config.name, printable, (error as Error).message);
    }
    return new RedisStore(config.name, client, printable, config.keyPrefix ?? "");
  }

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    const table = this.#tables.table(model);
    return model.subscribable === true ? new PublishingTable(table, model, this.#feeds) : table;
  }

  /** By pub/sub, across processes (redis-change-feed.ts says what is lost on a disconnect). */
  changes<T>(model: ModelDescriptor<T>): ChangeFeed<T> {
    return this.#feeds.feed(model);
  }

  /** Nothing to create: keys appear on first write. */
  async migrate(): Promise<void> {}

  async close(): Promise<void> {
    await this.#feeds.close();
    await closeClient(this.client);
  }
}
