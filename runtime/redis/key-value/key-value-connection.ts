/**
 * The key/value surface a model back-end is written against once, and which every Redis
 * connection kind that stores whole records satisfies: one ioredis server (`redis`), client-side
 * shards (`redis_sharded`) and Redis Cluster (`redis_cluster`).
 *
 * Routing rule, the same for all three: a command goes to the owner of its keys, where a key's
 * owner is decided by its `{hash tag}` when it has one. Commands, scripts and transactions
 * with several keys must keep them on one owner, or they fail with `CrossShardError` before
 * anything is sent — on every kind, including the single server, so code that works on one
 * server keeps working when sharded. A model puts its shard key in a tag
 * (`user:{42}`, `user:{42}:idx:email`) to keep a record and its index keys together.
 * See docs/redis.md.
 */
import type { CommandArg } from "./command-keys.js";

export type { CommandArg } from "./command-keys.js";

export type KeyValueKind = "redis" | "redis_sharded" | "redis_cluster";

export interface SetOptions {
  /** Expire after this many milliseconds (PX). */
  ttlMs?: number;
  /** Only set when the key does not exist (NX); `set` then resolves `false` if it did. */
  onlyIfAbsent?: boolean;
}

/** One result of a batch, in command order: the command's error or its reply. */
export type BatchResult = [error: Error | null, reply: unknown];

export interface KeyValueConnection {
  /** The connection's name from its config, used in every error message. */
  readonly name: string;
  readonly kind: KeyValueKind;

  get(key: string): Promise<string | null>;
  getBuffer(key: string): Promise<Buffer | null>;
  set(key: string, value: CommandArg, options?: SetOptions): Promise<boolean>;
  /** Deletes co-located keys; resolves the number deleted. */
  del(...keys: string[]): Promise<number>;
  exists(...keys: string[]): Promise<number>;
  /** PEXPIRE; resolves whether the key existed. */
  expire(key: string, ttlMs: number): Promise<boolean>;
  incrBy(key: string, by: number): Promise<number>;

  hget(key: string, field: string): Promise<string | null>;
  hmget(key: string, fields: readonly string[]): Promise<(string | null)[]>;
  /** Resolves the number of fields that were new. */
  hset(key: string, fields: Readonly<Record<string, CommandArg>>): Promise<number>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;
  hincrBy(key: string, field: string, by: number): Promise<number>;

  sadd(key: string, ...members: CommandArg[]): Promise<number>;
  srem(key: string, ...members: CommandArg[]): Promise<number>;
  smembers(key: string): Promise<string[]>;
  sismember(key: string, member: CommandArg): Promise<boolean>;

  zadd(key: string, score: number, member: CommandArg): Promise<number>;
  zrem(key: string, ...members: CommandArg[]): Promise<number>;
  /** Members with min ≤ score ≤ max, lowest first. */
  zrangeByScore(key: string, min: number | "-inf", max: number | "+inf", limit?: { offset: number; count: number }): Promise<string[]>;

  /** A Lua script over co-located keys (EVALSHA, loading the script on first use). */
  eval(script: string, keys: readonly string[], args?: readonly CommandArg[]): Promise<unknown>;
  /** Any command, routed by its keys (see command-keys.ts); keyless commands throw NoRoutingKeyError. */
  call(command: string, ...args: CommandArg[]): Promise<unknown>;
  /** `call` with bulk replies as Buffers (binary values such as protobuf records). */
  callBuffer(command: string, ...args: CommandArg[]): Promise<unknown>;

  /** Commands sent together, one round trip per owner; not atomic across owners. */
  pipeline(): KeyValueBatch;
  /** MULTI/EXEC: atomic, so every key of every command must share one owner. */
  multi(): KeyValueBatch;

  /** The owner of a key: node address, `slot:<n>` on a cluster, or the server's address. */
  ownerOf(key: string): string;
  /** Every key matching a glob pattern, from every node (SCAN; may repeat a key on a cluster resharding). */
  scanKeys(match: string, count?: number): AsyncIterable<string>;
  /** Closes every client (QUIT). */
  quit(): Promise<void>;
}

export interface KeyValueBatch {
  /** Queues any command, routed by its keys. */
  call(command: string, ...args: CommandArg[]): this;
  /** `call` with bulk replies as Buffers. */
  callBuffer(command: string, ...args: CommandArg[]): this;
  get(key: string): this;
  set(key: string, value: CommandArg, options?: SetOptions): this;
  del(...keys: string[]): this;
  incrBy(key: string, by: number): this;
  hset(key: string, fields: Readonly<Record<string, CommandArg>>): this;
  hgetall(key: string): this;
  hdel(key: string, ...fields: string[]): this;
  sadd(key: string, ...members: CommandArg[]): this;
  srem(key: string, ...members: CommandArg[]): this;
  eval(script: string, keys: readonly string[], args?: readonly CommandArg[]): this;
  /** Number of queued commands. */
  readonly length: number;
  /** Sends everything; results come back in the order the commands were queued. */
  exec(): Promise<BatchResult[]>;
}
