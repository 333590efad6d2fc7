// How a core is configured. Every knob has the meaning it has in etcd's raft.Config.
import { RaftError } from "./errors.js";
import type { RandomSource } from "./random.js";
import type { Storage } from "./storage.js";
import { NONE } from "./types.js";

export interface RaftConfig {
  id: number;
  /** Ticks without hearing from a leader before a follower campaigns (randomized in [n, 2n)). */
  electionTick: number;
  /** Ticks between leader heartbeats. */
  heartbeatTick: number;
  storage: Storage;
  /** Last index the application applied before a restart; committed entries start after it. */
  applied?: number;
  /** Bytes of entries per append message. */
  maxSizePerMsg?: number;
  /** Appends in flight per follower in Replicate state (pipelining window). */
  maxInflightMsgs?: number;
  /** A leader that has not heard from a quorum for an election timeout steps down. */
  checkQuorum?: boolean;
  /** Ask for votes without raising the term first, so a partitioned node cannot disrupt the cluster. */
  preVote?: boolean;
  /** A leader that applies its own removal steps down at once. */
  stepDownOnRemoval?: boolean;
  random: RandomSource;
}

export type ResolvedConfig = Required<Omit<RaftConfig, "applied">> & { applied: number };

export const resolveConfig = (c: RaftConfig): ResolvedConfig => {
  if (c.id === NONE) throw new RaftError("INVALID_CONFIG", "id must not be 0");
  if (c.heartbeatTick <= 0) throw new RaftError("INVALID_CONFIG", "heartbeatTick must be > 0");
  if (c.electionTick <= c.heartbeatTick) throw new RaftError("INVALID_CONFIG", "electionTick must be > heartbeatTick");
  const maxInflightMsgs = c.maxInflightMsgs ?? 256;
  if (maxInflightMsgs <= 0) throw new RaftError("INVALID_CONFIG", "maxInflightMsgs must be > 0");
  return {
    applied: 0,
    maxSizePerMsg: 1024 * 1024,
    checkQuorum: false,
    preVote: false,
    stepDownOnRemoval: true,
    ...c,
    maxInflightMsgs,
  };
};
