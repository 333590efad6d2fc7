// Connections: settings from a config file and the environment, opened into typed objects.
export { openConnections, OpenedConnections, type CustomConnection, type CustomConnectionConfig } from "./open-connections.js";
export { ConnectionConfigError, resolveSettings, type ConnectionDeclaration, type ConnectionSettings, type OpenConnectionsOptions } from "./settings.js";
// The property types of redis_sharded, redis_cluster and redis_ha connections.
export type { ClusterRedis, RedisHa, ShardedRedis } from "../redis/index.js";
