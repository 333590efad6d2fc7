import { decodeCursor, encodeCursor } from "../cursor.js";
import type { ModelDescriptor } from "../descriptor.js";
import { alreadyExists, notFound } from "../errors.js";
import { orderKey } from "../order-key.js";
import { indexPlan, planOf, type KeyPart, type ModelPlan } from "../plan.js";
import { insertSorted, pageAfter, removeSorted } from "../sorted-ids.js";
import { pageLimit, type ModelTable, type Page, type PageRequest } from "../store.js";
import { keyValues, type KeyValue } from "../values.js";
import { LocalFeed } from "../change-feed.js";

interface IndexState {
  readonly parts: readonly KeyPart[];
  readonly unique: boolean;
  /** Index value id → record ids, sorted (one id for a unique index). */
  readonly entries: Map<string, string[]>;
}

export class MemoryTable<T> implements ModelTable<T> {
  readonly #plan: ModelPlan<T>;
  readonly #partitionParts: readonly KeyPart[];
  /** Record id (order key of the primary key) → record. */
  readonly #records = new Map<string, T>();
  /** Partition id → record ids in list order. */
  readonly #partitions = new Map<string, string[]>();
  readonly #indexes = new Map<string, IndexState>();
  /** Subscribers of this table (MemoryStore.changes); writes tell it only when someone listens. */
  readonly feed = new LocalFeed<T>();

  constructor(model: ModelDescriptor<T>) {
    this.#plan = planOf(model);
    this.#partitionParts = this.#plan.partition.map((field) => ({ field, descending: false }));
    for (const [name, ix] of this.#plan.indexes) {
      const parts = ix.fields.map((field) => ({ field, descending: false }));
      this.#indexes.set(name, { parts, unique: ix.index.unique, entries: new Map() });
    }
  }

  async get(key: readonly KeyValue[]): Promise<T | null> {
    return this.#copy(this.#records.get(orderKey(this.#plan.key, key)));
  }

  async getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    return keys.map((key) => this.#copy(this.#records.get(orderKey(this.#plan.key, key))));
  }

  async exists(key: readonly KeyValue[]): Promise<boolean> {
    return this.#records.has(orderKey(this.#plan.key, key));
  }

  async insert(records: readonly T[]): Promise<void> {
    const claimed = new Map<string, string>();
    const ids = records.map((record) => {
      const id = this.#idOf(record);
      if (this.#records.has(id) || claimed.has(`pk\u0000${id}`)) throw alreadyExists(this.#plan.model.name, "primary key");
      claimed.set(`pk\u0000${id}`, id);
      this.#checkUnique(record, id, claimed);
      return id;
    });
    records.forEach((record, i) => this.#put(ids[i] as string, record));
    if (this.feed.size > 0) for (const r of records) this.#changed(r, r);
  }

  async save(record: T): Promise<void> {
    const id = this.#idOf(record);
    this.#checkUnique(record, id, new Map());
    this.#remove(id);
    this.#put(id, record);
    if (this.feed.size > 0) this.#changed(record, record);
  }

  async update(record: T): Promise<void> {
    const id = this.#idOf(record);
    if (!this.#records.has(id)) throw notFound(this.#plan.model.name, "record");
    this.#checkUnique(record, id, new Map());
    this.#remove(id);
    this.#put(id, record);
    if (this.feed.size > 0) this.#changed(record, record);
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const removed = this.#remove(orderKey(this.#plan.key, key));
    if (removed && this.feed.size > 0) this.feed.emit({ key: [...key], after: null });
    return removed;
  }

  /** Tells subscribers; each gets its own copy, as readers do. */
  #changed(keyOf: T, after: T): void {
    this.feed.emit({ key: keyValues(keyOf, this.#plan.key.map((p) => p.field)), after: structuredClone(after) });
  }

  async count(partition: readonly KeyValue[] | undefined): Promise<number> {
    if (partition === undefined) return this.#records.size;
    return this.#partitions.get(orderKey(this.#partitionParts, partition))?.length ?? 0;
  }

  async list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const ids = this.#partitions.get(orderKey(this.#partitionParts, partition)) ?? [];
    const after = page.cursor ? orderKey(this.#plan.key, [...partition, ...decodeCursor(this.#plan.sort, page.cursor)]) : "";
    return this.#page(ids, after, pageLimit(page), this.#plan.sort);
  }

  async findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    const state = this.#index(index);
    const id = state.entries.get(orderKey(state.parts, values))?.[0];
    return id === undefined ? null : this.#copy(this.#records.get(id));
  }

  async findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const state = this.#index(index);
    const ids = state.entries.get(orderKey(state.parts, values)) ?? [];
    const after = page.cursor ? orderKey(this.#plan.key, decodeCursor(this.#plan.key, page.cursor)) : "";
    return this.#page(ids, after, pageLimit(page), this.#plan.key);
  }

  /** Every record, for a snapshot of the table (the replicated store's). */
  records(): IterableIterator<T> {
    return this.#records.values();
  }

  /** Puts records without checks: they come from a snapshot of a table that held them together. */
  load(records: Iterable<T>): void {
    for (const record of records) this.#put(this.#idOf(record), record);
  }

  #page(ids: readonly string[], after: string, limit: number, cursorParts: readonly KeyPart[]): Page<T> {
    const found = pageAfter(ids, after, limit);
    const items = found.ids.map((id) => structuredClone(this.#records.get(id) as T));
    const last = items[items.length - 1];
    const nextCursor = found.more && last !== undefined ? encodeCursor(keyValues(last, cursorParts.map((p) => p.field))) : "";
    return { items, nextCursor };
  }

  #index(name: string): IndexState {
    indexPlan(this.#plan, name);
    return this.#indexes.get(name) as IndexState;
  }

  #idOf(record: T): string {
    return orderKey(this.#plan.key, keyValues(record, this.#plan.key.map((p) => p.field)));
  }

  #valueId(state: IndexState, record: T): string {
    return orderKey(state.parts, keyValues(record, state.parts.map((p) => p.field)));
  }

  /** Throws ALREADY_EXISTS if a unique value of `record` belongs to another record (or to `claimed`). */
  #checkUnique(record: T, id: string, claimed: Map<string, string>): void {
    for (const [name, state] of this.#indexes) {
      if (!state.unique) continue;
      const value = this.#valueId(state, record);
      const claim = `${name}\u0000${value}`;
      const owner = state.entries.get(value)?.[0] ?? claimed.get(claim);
      if (owner !== undefined && owner !== id) throw alreadyExists(this.#plan.model.name, `unique index ${name}`);
      claimed.set(claim, id);
    }
  }

  #put(id: string, record: T): void {
    const stored = structuredClone(record);
    this.#records.set(id, stored);
    const partition = orderKey(this.#partitionParts, keyValues(stored, this.#plan.partition));
    let ids = this.#partitions.get(partition);
    if (ids === undefined) this.#partitions.set(partition, (ids = []));
    insertSorted(ids, id);
    for (const state of this.#indexes.values()) {
      const value = this.#valueId(state, stored);
      let entries = state.entries.get(value);
      if (entries === undefined) state.entries.set(value, (entries = []));
      insertSorted(entries, id);
    }
  }

  #remove(id: string): boolean {
    const old = this.#records.get(id);
    if (old === undefined) return false;
    this.#records.delete(id);
    const partition = orderKey(this.#partitionParts, keyValues(old, this.#plan.partition));
    const ids = this.#partitions.get(partition);
    if (ids !== undefined) {
      removeSorted(ids, id);
      if (ids.length === 0) this.#partitions.delete(partition);
    }
    for (const state of this.#indexes.values()) {
      const value = this.#valueId(state, old);
      const entries = state.entries.get(value);
      if (entries === undefined) continue;
      removeSorted(entries, id);
      if (entries.length === 0) state.entries.delete(value);
    }
    return true;
  }

  #copy(record: T | undefined): T | null {
    return record === undefined ? null : structuredClone(record);
  }
}
