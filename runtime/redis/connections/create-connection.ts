import { ClusterRedis, type ClusterRedisConfig } from "../cluster/cluster-redis.js";
import { ConfigError } from "../errors.js";
import { RedisHa, type RedisHaConfig } from "../ha/redis-ha.js";
import { ShardedRedis, type ShardedRedisConfig } from "../sharded/sharded-redis.js";
import { SingleRedis, type SingleRedisConfig } from "../single/single-redis.js";

/** The Redis kinds of `(rony.connection).kind`, each with its typed config. */
export type RedisConnectionConfig =
  | ({ kind: "redis" } & SingleRedisConfig)
  | ({ kind: "redis_sharded" } & ShardedRedisConfig)
  | ({ kind: "redis_cluster" } & ClusterRedisConfig)
  | ({ kind: "redis_ha" } & RedisHaConfig);

export type RedisConnectionKind = RedisConnectionConfig["kind"];

export interface RedisConnectionByKind {
  redis: SingleRedis;
  redis_sharded: ShardedRedis;
  redis_cluster: ClusterRedis;
  redis_ha: RedisHa;
}

/**
 * Connects a named connection of any Redis kind. Resolves once it can serve commands; rejects
 * with a ConnectionError naming the connection and the address that failed, or a ConfigError.
 */
export async function createRedisConnection<C extends RedisConnectionConfig>(
  config: C,
): Promise<RedisConnectionByKind[C["kind"]]>;
export async function createRedisConnection(
  config: RedisConnectionConfig,
): Promise<SingleRedis | ShardedRedis | ClusterRedis | RedisHa> {
  if (!config.name) throw new ConfigError("(unnamed)", "name", "is required");
  switch (config.kind) {
    case "redis":
      return SingleRedis.connect(config);
    case "redis_sharded":
      return ShardedRedis.connect(config);
    case "redis_cluster":
      return ClusterRedis.connect(config);
    case "redis_ha":
      return RedisHa.connect(config);
    default: {
      const kind: never = config;
      throw new ConfigError("(unknown)", "kind", `${JSON.stringify(kind)} is not a Redis kind`);
    }
  }
}
