import type { CommandArg } from "./command-keys.js";

type ExecReply = Promise<[error: Error | null, result: unknown][] | null>;

/** The part of an ioredis `Redis` or `Cluster` client the routed connection uses. */
export interface CommandTarget {
  call(command: string, ...args: CommandArg[]): Promise<unknown>;
  callBuffer(command: string, ...args: CommandArg[]): Promise<unknown>;
  pipeline(commands?: unknown[][]): { exec(): ExecReply };
  multi(commands?: unknown[][]): { exec(): ExecReply };
}

/**
 * Where a key lives, for one connection kind. Keys with equal `unitOf` may share a command,
 * script or transaction (one node when sharded, one slot on a cluster); units with equal
 * `ownerOfUnit` may share a pipeline round trip.
 */
export interface KeyRouter {
  unitOf(key: string): string | number;
  /** The owner (pipeline group) of a unit: a node address. */
  ownerOfUnit(unit: string | number): string;
  /** The client for commands on a unit. */
  targetOfUnit(unit: string | number): CommandTarget;
  /** Same as `targetOfUnit(unitOf(key))`; the hot path of single-key commands. */
  targetOf(key: string): CommandTarget;
  /** Work that must finish before a command on `key` is sent (a key moving between shards); usually undefined. */
  settleKey?(key: string): Promise<void> | undefined;
  /** Every node that holds keys (for SCAN), with its address. */
  nodes(): readonly { address: string; target: CommandTarget }[];
  quit(): Promise<void>;
}
