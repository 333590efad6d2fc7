// Models: the repository base generated code extends, the descriptor it passes, and the three
// built-in stores (memory, mysql2, ioredis; KeyValueStore for sharded and cluster Redis). See docs/models.md.
export type { FieldDescriptor, IndexDescriptor, ModelCodec, ModelDescriptor, RedisEntry, RedisEntryBuilder, SortKeyPart, ValueType } from "./descriptor.js";
// What generated RedisEntryBuilders call for a value's key text, shard tag and order key part.
export { keyText, shardTag } from "./redis/keys.js";
export { orderPart } from "./order-key.js";
export { Repository } from "./repository.js";
export { LocalFeed, type ChangeFeed, type ChangeFeedSource, type RecordChange } from "./change-feed.js";
export { Subscription, type Scope, type Update } from "./subscription.js";
export { SingletonRepository } from "./singleton-repository.js";
export type { ModelStore, ModelTable, Page, PageRequest } from "./store.js";
export { DEFAULT_PAGE, MAX_PAGE } from "./store.js";
export type { KeyValue } from "./values.js";
export { MemoryStore } from "./memory/memory-store.js";
export { RaftStore } from "./raft/raft-store.js";
export { MysqlStore } from "./mysql/mysql-store.js";
export type { MysqlConfig } from "./mysql/mysql-config.js";
export type { MigrationStep } from "./mysql/migrate.js";
export { createTableSql } from "./mysql/ddl.js";
export { RedisStore, type RedisConfig } from "./redis/redis-store.js";
export { KeyValueStore, type KeyValueStoreOptions } from "./redis/key-value-store.js";
export { withModels, type ModelContext } from "./with-models.js";
