// What a Redis model table needs from its connection, with two implementations: one ioredis
// client on one server (every key on one node, so a write can be one script), and any
// KeyValueConnection (one server, client-side shards, Redis Cluster), where a script may only
// touch keys of one `{hash tag}` and global keys are written in steps of their own.
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { replyCode, RedisRuntimeError } from "../../redis/errors.js";
import type { KeyValueConnection } from "../../redis/key-value/key-value-connection.js";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { internal, unavailable } from "../errors.js";

export type Arg = string | Buffer | number;

/** One command of a batch; `buffer` asks for bulk replies as Buffers. */
export interface Command {
  readonly args: readonly [command: string, key: string, ...rest: Arg[]];
  readonly buffer?: boolean;
}

export type Reply = [error: Error | null, reply: unknown];

export interface RedisTarget {
  /** Every key lives on one server: a script may touch keys of any tag. */
  readonly oneNode: boolean;
  /** A command routed by its key (the first argument after the command). */
  call(command: string, key: string, ...rest: Arg[]): Promise<unknown>;
  callBuffer(command: string, key: string, ...rest: Arg[]): Promise<unknown>;
  /** A script over keys of one tag (or any keys when `oneNode`). */
  eval(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
  /**
   * `eval` without the fallback: may reject with a NOSCRIPT reply error (see `noScript`), when
   * the caller runs `eval`. For hot paths, which handle that in the step that handles other
   * failures instead of a promise step of its own.
   */
  evalsha(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
  /** EVAL with the script's source, which the server caches: the step after a NOSCRIPT from `evalsha`. */
  evalSource(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown>;
  /** Commands routed by their keys, one round trip per node in parallel; replies in order. */
  batch(commands: readonly Command[]): Promise<Reply[]>;
  /** Every key matching a glob pattern, on every node. */
  scan(match: string): AsyncIterable<string>;
  /** A client failure as the typed model error. */
  fail(error: unknown, model: string): unknown;
}

/** The `redis` kind: one ioredis client on one server. */
export class ServerTarget implements RedisTarget {
  readonly oneNode = true;

  constructor(
    private readonly client: Redis,
    private readonly connection: string,
    private readonly address: string,
  ) {}

  call(command: string, ...args: Arg[]): Promise<unknown> {
    return this.client.call(command, ...args);
  }

  callBuffer(command: string, ...args: Arg[]): Promise<unknown> {
    return this.client.callBuffer(command, ...args);
  }

  // EVAL once when the server lost its script cache (a restart, SCRIPT FLUSH).
  eval(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.evalsha(script, keys, args).catch((error: unknown) => {
      if (!noScript(error)) throw error;
      return this.evalSource(script, keys, args);
    });
  }

  evalSource(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.client.eval(script, keys.length, ...keys, ...args);
  }

  // ioredis' own evalsha, not the generic `call`: this runs on every write.
  evalsha(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.client.evalsha(shaOf(script), keys.length, ...keys, ...args);
  }

  async batch(commands: readonly Command[]): Promise<Reply[]> {
    const lines = commands.map((c) => (c.buffer ? [`${c.args[0]}Buffer`, ...c.args.slice(1)] : [...c.args]));
    return (await this.client.pipeline(lines).exec()) ?? [];
  }

  async *scan(match: string): AsyncIterable<string> {
    let cursor = "0";
    do {
      const [next, keys] = await this.client.scan(cursor, "MATCH", match, "COUNT", 1000);
      cursor = next;
      yield* keys;
    } while (cursor !== "0");
  }

  // A reply error is a bug (ours or a foreign key of the wrong type); anything else means the
  // server could not be reached in time, which the caller may retry.
  fail(error: unknown, model: string): unknown {
    if (error instanceof RonyError) return error;
    const reason = error instanceof Error ? error.message : String(error);
    if (replyCode(error) !== undefined) return internal(model, `Redis replied ${reason}`);
    return unavailable(this.connection, this.address, reason);
  }
}

/** Whether a script call failed because the server does not have the script cached. */
export function noScript(error: unknown): boolean {
  return replyCode(error) === "NOSCRIPT";
}

const shas = new Map<string, string>();

function shaOf(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  return sha;
}

/** `redis`, `redis_sharded` or `redis_cluster` behind runtime/redis's KeyValueConnection. */
export class ConnectionTarget implements RedisTarget {
  readonly oneNode = false;

  constructor(private readonly kv: KeyValueConnection) {}

  call(command: string, ...args: Arg[]): Promise<unknown> {
    return this.kv.call(command, ...args);
  }

  callBuffer(command: string, ...args: Arg[]): Promise<unknown> {
    return this.kv.callBuffer(command, ...args);
  }

  eval(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.kv.eval(script, keys, args);
  }

  // The connection falls back to EVAL itself.
  evalsha(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.kv.eval(script, keys, args);
  }

  evalSource(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    return this.kv.eval(script, keys, args);
  }

  batch(commands: readonly Command[]): Promise<Reply[]> {
    const batch = this.kv.pipeline();
    for (const c of commands) {
      if (c.buffer) batch.callBuffer(...c.args);
      else batch.call(...c.args);
    }
    return batch.exec();
  }

  scan(match: string): AsyncIterable<string> {
    return this.kv.scanKeys(match, 1000);
  }

  fail(error: unknown, model: string): unknown {
    if (error instanceof RonyError) return error;
    if (!(error instanceof RedisRuntimeError)) return internal(model, error instanceof Error ? error.message : String(error));
    switch (error.code) {
      case "CROSS_SHARD":
        return new RonyError(ErrorCode.CROSS_SHARD, `${model}: ${error.message}`);
      case "REPLY_ERROR":
        return internal(model, error.message);
      default:
        // CONNECTION_FAILED names the connection and the node's address already.
        return new RonyError(ErrorCode.UNAVAILABLE, error.message, this.kv.name);
    }
  }
}
