// Models on any KeyValueConnection of runtime/redis: client-side shards (redis_sharded), Redis
// Cluster (redis_cluster) or one server behind the portable-keys rule. A record and every key of
// its tag are written by one script on their node; unique claims and the directories of
// non-unique values are written in a step before it (sharded-writes.ts, claims.ts).
import type { KeyValueConnection } from "../../redis/key-value/key-value-connection.js";
import type { ModelDescriptor } from "../descriptor.js";
import type { ModelStore, ModelTable } from "../store.js";
import { RedisTables } from "./redis-store.js";
import { ConnectionTarget } from "./redis-target.js";

export interface KeyValueStoreOptions {
  /** Prepended to every key. */
  readonly keyPrefix?: string;
  /**
   * A unique claim whose owner record does not hold the value (a writer crashed between its
   * steps) may be taken over once it is this old; longer than any write takes. Default 30 s.
   */
  readonly claimGraceMs?: number;
}

export class KeyValueStore<C extends KeyValueConnection = KeyValueConnection> implements ModelStore {
  readonly #tables: RedisTables;

  constructor(
    /** The connection, for commands outside the models. */
    readonly connection: C,
    options: KeyValueStoreOptions = {},
  ) {
    this.#tables = new RedisTables(new ConnectionTarget(connection), options.keyPrefix ?? "", options.claimGraceMs ?? 30_000);
  }

  get kind(): string {
    return this.connection.kind;
  }

  get name(): string {
    return this.connection.name;
  }

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    return this.#tables.table(model);
  }

  /** Nothing to create: keys appear on first write. */
  async migrate(): Promise<void> {}

  close(): Promise<void> {
    return this.connection.quit();
  }
}
