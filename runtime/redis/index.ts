/**
 * Redis connections of rony-ts: one server (`redis`), client-side shards (`redis_sharded`),
 * Redis Cluster (`redis_cluster`) behind one KeyValueConnection surface for models, and
 * quorum replicas (`redis_ha`) with merge-on-read CRDTs. See docs/redis.md.
 */
export { createRedisConnection } from "./connections/create-connection.js";
export type { RedisConnectionByKind, RedisConnectionConfig, RedisConnectionKind } from "./connections/create-connection.js";
export type { ClientTuning, RedisAddress } from "./connections/clients.js";

export type {
  BatchResult,
  CommandArg,
  KeyValueBatch,
  KeyValueConnection,
  KeyValueKind,
  SetOptions,
} from "./key-value/key-value-connection.js";
export { commandKeys } from "./key-value/command-keys.js";
export { shardedKey } from "./key-value/keys.js";

export { SingleRedis, type SingleRedisConfig } from "./single/single-redis.js";
export { ShardedRedis, type ShardedRedisConfig } from "./sharded/sharded-redis.js";
export type { ShardNode } from "./sharded/shard-router.js";
export type { RebalanceOptions, RebalanceReport } from "./sharded/rebalance.js";
export { ClusterRedis, type ClusterRedisConfig } from "./cluster/cluster-redis.js";

export { RedisHa, type RedisHaConfig, type ReplicaStatus, type QuorumOptions, type Ack, type FanOutResult } from "./ha/redis-ha.js";
export type { Backoff } from "./ha/replica.js";
export { PnCounter, type PnCounterOptions } from "./crdt/pn-counter.js";
export { OrSet } from "./crdt/or-set.js";
export { LwwMap, type LwwMapOptions } from "./crdt/lww-map.js";
export { HybridLogicalClock } from "./crdt/hlc.js";
export type { CollectOptions, CollectReport } from "./crdt/collect.js";
export type { RepairTracker } from "./crdt/merge-on-read.js";

export { KetamaRing, type RingNode } from "./hashing/ketama-ring.js";
export { hashTagOf } from "./hashing/hash-tag.js";
export { clusterSlot } from "./hashing/cluster-slot.js";

export {
  ConfigError,
  ConnectionError,
  CrossShardError,
  NoRoutingKeyError,
  QuorumError,
  RedisReplyError,
  RedisRuntimeError,
  type RedisErrorCode,
  type ReplicaFailure,
} from "./errors.js";
