// The redis kind: one ioredis client. Records are protobuf bytes in a hash, indexes and
// partition lists are zsets and strings kept in step by Lua scripts (keys.ts, scripts.ts).
// The table talks to the client only through runtime/redis's CommandTarget (call, callBuffer,
// pipeline), the surface a sharded or cluster router also offers.
import type { Redis } from "ioredis";
import { replyCode } from "../../redis/errors.js";
import { RonyError } from "../../rpc/errors.js";
import { closeClient, connectClient, createClient } from "../../redis/connections/clients.js";
import type { ModelDescriptor } from "../descriptor.js";
import { internal, unavailable } from "../errors.js";
import type { ModelStore, ModelTable } from "../store.js";
import { RedisTable, type RedisContext } from "./redis-table.js";
import { ScriptRunner } from "./script-runner.js";

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

export class RedisStore implements ModelStore {
  readonly kind = "redis";
  readonly #tables = new Map<string, RedisTable<unknown>>();
  readonly #ctx: RedisContext;

  constructor(
    readonly name: string,
    /** The ioredis client, for commands outside the models. */
    readonly client: Redis,
    /** `host:port`, as errors print it. */
    readonly address: string,
    keyPrefix = "",
  ) {
    this.#ctx = {
      target: client,
      scripts: new ScriptRunner(client),
      keyPrefix,
      fail: (error, model) => this.#fail(error, model),
    };
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
    let table = this.#tables.get(model.name);
    if (table === undefined) {
      table = new RedisTable(model as ModelDescriptor<unknown>, this.#ctx);
      this.#tables.set(model.name, table);
    }
    return table as ModelTable<T>;
  }

  /** Nothing to create: keys appear on first write. */
  async migrate(): Promise<void> {}

  async close(): Promise<void> {
    await closeClient(this.client);
  }

  // A reply error is a bug (ours or a foreign key of the wrong type); anything else means the
  // server could not be reached in time, which the caller may retry.
  #fail(error: unknown, model: string): unknown {
    if (error instanceof RonyError) return error;
    const code = replyCode(error);
    const reason = error instanceof Error ? error.message : String(error);
    if (code !== undefined) return internal(model, `Redis replied ${reason}`);
    return unavailable(this.name, this.address, reason);
  }
}
