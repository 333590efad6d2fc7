// The base of every generated repository: typed calls in, key values out to the store's table.
// Generated subclasses add only the index finders, so this is the one place the API is written.
import { encodeCursor } from "./cursor.js";
import type { ModelDescriptor } from "./descriptor.js";
import { planOf, type KeyPart, type ModelPlan } from "./plan.js";
import type { ModelStore, ModelTable, Page, PageRequest } from "./store.js";
import { Subscription, type Scope, type Update } from "./subscription.js";
import type { ChangeFeedSource } from "./change-feed.js";
import { ErrorCode, RonyError } from "../rpc/errors.js";
import { keyValues, withDefaults, type KeyValue } from "./values.js";

/**
 * `T` is the record (the generated message), `K` its primary key fields and `P` its partition
 * key fields. Missing records: `get` and the unique finders resolve null, `update` rejects
 * with NOT_FOUND, `delete` resolves false. Every failure is a rejected promise, never a throw.
 */
export class Repository<T, K extends object, P extends object> {
  readonly #table: ModelTable<T>;
  readonly #plan: ModelPlan<T>;

  constructor(
    readonly store: ModelStore,
    readonly model: ModelDescriptor<T>,
  ) {
    this.#table = store.table(model);
    this.#plan = planOf(model);
  }

  get(key: K): Promise<T | null> {
    return this.#table.get(this.#key(key));
  }

  /** Several records in one round trip; null where one is missing, in the order of `keys`. */
  getMany(keys: readonly K[]): Promise<(T | null)[]> {
    return this.#table.getMany(keys.map((k) => this.#key(k)));
  }

  exists(key: K): Promise<boolean> {
    return this.#table.exists(this.#key(key));
  }

  /** Rejects with ALREADY_EXISTS (and writes nothing) if the key or a unique value is taken. */
  insert(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.insert([stored]).then(() => stored);
  }

  /** All records or none, in one round trip. */
  async insertMany(records: readonly T[]): Promise<T[]> {
    const stored = records.map((r) => withDefaults(this.#plan, r));
    if (stored.length > 0) await this.#table.insert(stored);
    return stored;
  }

  /** Insert or replace by primary key (upsert). */
  save(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.save(stored).then(() => stored);
  }

  /** Replaces an existing record; rejects with NOT_FOUND when there is none. */
  update(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.update(stored).then(() => stored);
  }

  delete(key: K): Promise<boolean> {
    return this.#table.delete(this.#key(key));
  }

  /** Records in one partition, or in the whole model without an argument. */
  count(partition?: P): Promise<number> {
    return this.#table.count(partition === undefined ? undefined : keyValues(partition, this.#plan.partition));
  }

  /** A partition's records in sort-key order, a page at a time. */
  list(partition: P, page: PageRequest = {}): Promise<Page<T>> {
    return this.#table.list(keyValues(partition, this.#plan.partition), page);
  }

  /** A `list` cursor that starts right after the record with this key (which need not exist). */
  listCursor(key: K): string {
    return encodeCursor(this.#plan.sort.map((part) => (key as Record<string, unknown>)[part.field.prop] as KeyValue));
  }

  // Tables check the index name (and reject, never throw) so these stay plain pass-throughs.
  protected findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    return this.#table.findUnique(index, values);
  }

  protected findMany(index: string, values: readonly KeyValue[], page: PageRequest = {}): Promise<Page<T>> {
    return this.#table.findMany(index, values, page);
  }

  /** The record with this key now (null when missing), then each change to it with the value before. */
  protected subscribeKey(key: K): AsyncIterable<Update<T>> {
    return this.#subscribe({ kind: "key", key: this.#key(key) });
  }

  /** A partition's records now, then each record that appears, changes or goes. */
  protected subscribePartitionOf(partition: P): AsyncIterable<Update<T>> {
    return this.#subscribe({ kind: "partition", partition: keyValues(partition, this.#plan.partition) });
  }

  /** The records with these index values now, then each that appears, changes or goes. */
  protected subscribeIndex(index: string, values: readonly KeyValue[]): AsyncIterable<Update<T>> {
    return this.#subscribe({ kind: "index", index, values });
  }

  #subscribe(scope: Scope): AsyncIterable<Update<T>> {
    const source = this.store as Partial<ChangeFeedSource> & ModelStore;
    if (typeof source.changes !== "function") {
      throw new RonyError(ErrorCode.UNIMPLEMENTED, `connection "${this.store.name}" (${this.store.kind}) has no change feed: ${this.model.name} cannot be subscribed to there`);
    }
    return new Subscription(this.model, this.#plan, this.#table, source.changes(this.model), scope);
  }

  // A plain loop: every read by key runs this.
  #key(key: K): KeyValue[] {
    const parts = this.#plan.key;
    const values = new Array<KeyValue>(parts.length);
    for (let i = 0; i < parts.length; i++) values[i] = (key as Record<string, unknown>)[(parts[i] as KeyPart).field.prop] as KeyValue;
    return values;
  }
}
