/**
 * Every failure of the Redis connections is a `RedisRuntimeError` with a `code` from a closed
 * set, so callers branch on `error.code`, never on message text.
 */
export type RedisErrorCode =
  /** Keys of one command, transaction or script live on different shards / slots. */
  | "CROSS_SHARD"
  /** A command has no key to route by (PING, KEYS …): run it per node instead. */
  | "NO_ROUTING_KEY"
  /** Fewer replicas than the quorum acknowledged in time. */
  | "QUORUM_NOT_REACHED"
  /** A connection could not be made or used; names the connection and address. */
  | "CONNECTION_FAILED"
  /** A configuration value is missing or out of range. */
  | "BAD_CONFIG"
  /** A replica did not answer within the per-call timeout. */
  | "REPLICA_TIMEOUT"
  /** A replica is marked down and is skipped until its back-off ends. */
  | "REPLICA_DOWN"
  /** A rebalance could not move a key (the key stays on its old node). */
  | "MIGRATION_FAILED"
  /** Redis answered the command with an error (WRONGTYPE, NOSCRIPT …), in `redisCode`. */
  | "REPLY_ERROR";

export class RedisRuntimeError extends Error {
  constructor(
    readonly code: RedisErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RedisRuntimeError";
  }
}

export class CrossShardError extends RedisRuntimeError {
  constructor(
    readonly keys: readonly string[],
    /** The shard (node address or cluster slot) of each key, in the order of `keys`. */
    readonly shards: readonly string[],
  ) {
    super(
      "CROSS_SHARD",
      `keys ${keys.map((k) => JSON.stringify(k)).join(", ")} live on different shards (${[...new Set(shards)].join(", ")}); ` +
        "put a common {hash tag} in the keys to co-locate them",
    );
    this.name = "CrossShardError";
  }
}

export class NoRoutingKeyError extends RedisRuntimeError {
  constructor(readonly command: string) {
    super("NO_ROUTING_KEY", `${command} has no key to route by; send it to each node with forEachNode()`);
    this.name = "NoRoutingKeyError";
  }
}

export interface ReplicaFailure {
  readonly address: string;
  /** OP_FAILED: the caller's op threw before sending anything. */
  readonly code: "REPLICA_TIMEOUT" | "REPLICA_DOWN" | "CONNECTION_FAILED" | "REPLY_ERROR" | "OP_FAILED";
  readonly message: string;
}

export class QuorumError extends RedisRuntimeError {
  constructor(
    readonly connection: string,
    readonly needed: number,
    readonly acknowledged: number,
    readonly failures: readonly ReplicaFailure[],
  ) {
    super(
      "QUORUM_NOT_REACHED",
      `${connection}: ${acknowledged} of ${needed} needed replicas answered; ` +
        failures.map((f) => `${f.address} ${f.code}: ${f.message}`).join("; "),
    );
    this.name = "QuorumError";
  }
}

export class ConnectionError extends RedisRuntimeError {
  constructor(
    readonly connection: string,
    readonly address: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super("CONNECTION_FAILED", `connection "${connection}" to ${address}: ${reason}`, options);
    this.name = "ConnectionError";
  }
}

export class ConfigError extends RedisRuntimeError {
  constructor(
    readonly connection: string,
    readonly field: string,
    reason: string,
  ) {
    super("BAD_CONFIG", `connection "${connection}": ${field} ${reason}`);
    this.name = "ConfigError";
  }
}

/**
 * The error code Redis put in front of a reply error ("CROSSSLOT Keys in request…" → "CROSSSLOT").
 * The prefix is part of the protocol, unlike the text after it.
 */
export function replyCode(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== "ReplyError") return undefined;
  const space = error.message.indexOf(" ");
  return space < 0 ? error.message : error.message.slice(0, space);
}

export class RedisReplyError extends RedisRuntimeError {
  constructor(
    readonly connection: string,
    readonly address: string,
    /** The code Redis put in front of its reply, e.g. "WRONGTYPE". */
    readonly redisCode: string,
    cause: Error,
  ) {
    super("REPLY_ERROR", `connection "${connection}" (${address}): ${cause.message}`, { cause });
    this.name = "RedisReplyError";
  }
}

/** Our error for anything a client call rejected with: reply errors keep Redis' code, the rest is a connection failure. */
export function toRuntimeError(error: unknown, connection: string, address: string): RedisRuntimeError {
  if (error instanceof RedisRuntimeError) return error;
  const code = replyCode(error);
  if (code !== undefined) return new RedisReplyError(connection, address, code, error as Error);
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(connection, address, reason, { cause: error });
}
