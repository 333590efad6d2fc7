// The replicated connection (kind "raft"): models held in memory on every node of a replica set.
// A replica set keeps it identical everywhere by running each write call on every replica in log
// order (docs/cluster.md); this store only holds the records, snapshots and restores them, and,
// once a ReplicaNode serves it, refuses writes made outside such a call: they would reach one
// replica and not the others. Before that (one process, no replica set) it is a memory store.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { LocalFeed, type ChangeFeed, type ChangeFeedSource, type RecordChange } from "../change-feed.js";
import type { ModelDescriptor } from "../descriptor.js";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { MemoryTable } from "../memory/memory-table.js";
import type { ModelStore, ModelTable, Page, PageRequest } from "../store.js";
import { planOf } from "../plan.js";
import { fieldValue, keyValues, type KeyValue } from "../values.js";

interface BoundTable {
  readonly model: ModelDescriptor<unknown>;
  readonly table: MemoryTable<unknown>;
}

export class RaftStore implements ModelStore, ChangeFeedSource {
  readonly kind = "raft";
  readonly #tables = new Map<string, BoundTable>();
  /** Subscribers per model. They outlive the tables: a snapshot install replaces those. */
  readonly #feeds = new Map<string, LocalFeed<unknown>>();
  readonly #piped = new WeakSet<MemoryTable<unknown>>();
  /** Records restored from a snapshot for tables no model has asked for yet, still encoded. */
  readonly #restored = new Map<string, Uint8Array[]>();
  #attached = false;
  #writable = false;
  #slotGuard: ((shardValue: KeyValue) => void) | undefined;

  constructor(readonly name = "raft") {}

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    this.memoryTable(model);
    return new GuardedTable(this, model);
  }

  /**
   * Changes as this node applies them. On a replica set every node applies every write, so a
   * change reaches the subscribers of every node; after a snapshot install they re-read.
   */
  changes<T>(model: ModelDescriptor<T>): ChangeFeed<T> {
    return {
      listen: async (onChange: (change: RecordChange<T>) => void, onResync: () => void) => {
        let feed = this.#feeds.get(model.name);
        if (feed === undefined) this.#feeds.set(model.name, (feed = new LocalFeed()));
        const stop = await feed.listen(onChange as (change: RecordChange<unknown>) => void, onResync);
        this.#pipe(this.#bind(model as ModelDescriptor<unknown>), feed);
        return stop;
      },
    };
  }

  /** Nothing to create: tables appear on first use. */
  async migrate(): Promise<void> {}

  async close(): Promise<void> {}

  /** @internal Whether writes are allowed now: on a replica set, only while it applies a call. */
  get writable(): boolean {
    return !this.#attached || this.#writable;
  }

  /** @internal A replica set's state machine takes the store over; from now on it alone writes. */
  attach(): void {
    if (this.#attached) throw new Error(`raft connection "${this.name}" is already served by a replica set`);
    this.#attached = true;
  }

  /** @internal The replica's state machine opens writes around one applied call. */
  setWritable(on: boolean): void {
    this.#writable = on;
  }

  /**
   * @internal A sharded replica set checks every record write's shard key value: `guard` throws
   * for a record in a slot the set does not serve now (one being moved away, or gone).
   */
  guardSlots(guard: (shardValue: KeyValue) => void): void {
    this.#slotGuard = guard;
  }

  /** @internal Throws when the record's slot is not served here (see guardSlots). */
  checkSlot(model: ModelDescriptor<unknown>, shardValue: () => KeyValue): void {
    if (this.#slotGuard !== undefined && planOf(model).shard !== undefined) this.#slotGuard(shardValue());
  }

  /** Every table's records, each encoded with its model's codec. */
  snapshot(writer: BinaryWriter): BinaryWriter {
    const names = new Set([...this.#tables.keys(), ...this.#restored.keys()]);
    writer.uint32(names.size);
    for (const name of [...names].sort()) {
      writer.string(name);
      const bound = this.#tables.get(name);
      const encoded = bound === undefined ? (this.#restored.get(name) ?? []) : [...bound.table.records()].map((r) => bound.model.codec.encode(r).finish());
      writer.uint32(encoded.length);
      for (const bytes of encoded) writer.bytes(bytes);
    }
    return writer;
  }

  /** Replaces every table's records with a snapshot's (none when `reader` is undefined). */
  restore(reader: BinaryReader | undefined): void {
    this.#restored.clear();
    const bound = new Map(this.#tables);
    this.#tables.clear();
    for (let tables = reader === undefined ? 0 : reader.uint32(); tables > 0; tables--) {
      const name = reader!.string();
      const records: Uint8Array[] = [];
      for (let n = reader!.uint32(); n > 0; n--) records.push(reader!.bytes());
      this.#restored.set(name, records);
    }
    for (const { model } of bound.values()) this.#bind(model);
    for (const feed of this.#feeds.values()) feed.resync();
  }

  /**
   * @internal Records whose shard key value `inSlots` accepts (a slot move's export), encoded with
   * their model's codec; tables by name, then in insertion order, which writes to other records
   * do not change. Models without a shard key stay with their replica set.
   */
  *recordsWhere(inSlots: (shardValue: KeyValue) => boolean): IterableIterator<{ readonly model: string; readonly bytes: Uint8Array }> {
    this.#requireBound();
    for (const name of [...this.#tables.keys()].sort()) {
      const { model, table } = this.#tables.get(name)!;
      const shard = planOf(model).shard;
      if (shard === undefined) continue;
      for (const record of table.records()) {
        if (inSlots(fieldValue(record, shard) as KeyValue)) yield { model: name, bytes: model.codec.encode(record).finish() };
      }
    }
  }

  /** @internal Deletes the records whose shard key value `inSlots` accepts (their slots moved away). */
  async deleteWhere(inSlots: (shardValue: KeyValue) => boolean): Promise<void> {
    this.#requireBound();
    for (const { model, table } of this.#tables.values()) {
      const plan = planOf(model);
      if (plan.shard === undefined) continue;
      const keys = [...table.records()].filter((r) => inSlots(fieldValue(r, plan.shard!) as KeyValue)).map((r) => keyValues(r, plan.key.map((p) => p.field)));
      for (const key of keys) await table.delete(key);
    }
  }

  /** @internal Puts a record moved here from another replica set, replacing the one with its key. */
  async putMoved(modelName: string, bytes: Uint8Array): Promise<void> {
    const bound = this.#tables.get(modelName);
    if (bound === undefined) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `model ${modelName} is not used on connection "${this.name}" here: its moved records would have no table`);
    await bound.table.save(bound.model.codec.decode(bytes));
  }

  /** Records restored for a model no repository opened yet cannot be sorted into slots. */
  #requireBound(): void {
    for (const [name, records] of this.#restored) {
      if (records.length > 0) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `model ${name} on connection "${this.name}" has records but no repository opened it on this node: its shard key is unknown`);
    }
  }

  /** @internal The table holding a model's records now (a snapshot install replaces it). */
  memoryTable<T>(model: ModelDescriptor<T>): MemoryTable<T> {
    return this.#bind(model as ModelDescriptor<unknown>) as MemoryTable<T>;
  }

  #bind(model: ModelDescriptor<unknown>): MemoryTable<unknown> {
    const bound = this.#tables.get(model.name);
    if (bound !== undefined) return bound.table;
    const table = new MemoryTable(model);
    const restored = this.#restored.get(model.name);
    if (restored !== undefined) {
      table.load(restored.map((bytes) => model.codec.decode(bytes)));
      this.#restored.delete(model.name);
    }
    this.#tables.set(model.name, { model, table });
    const feed = this.#feeds.get(model.name);
    if (feed !== undefined && feed.size > 0) this.#pipe(table, feed);
    return table;
  }

  /** A table tells its writes to its feed only while someone listens: pipe it to the store's. */
  #pipe(table: MemoryTable<unknown>, feed: LocalFeed<unknown>): void {
    if (this.#piped.has(table)) return;
    this.#piped.add(table);
    void table.feed.listen((change) => feed.emit(change), () => feed.resync());
  }
}

/** Reads go to the model's current table; writes only while the store is writable. */
class GuardedTable<T> implements ModelTable<T> {
  constructor(
    readonly store: RaftStore,
    readonly model: ModelDescriptor<T>,
  ) {}

  get(key: readonly KeyValue[]): Promise<T | null> {
    return this.#read().get(key);
  }

  getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    return this.#read().getMany(keys);
  }

  exists(key: readonly KeyValue[]): Promise<boolean> {
    return this.#read().exists(key);
  }

  insert(records: readonly T[]): Promise<void> {
    return this.#write(records.map((r) => () => this.#shardOf(r)), (t) => t.insert(records));
  }

  save(record: T): Promise<void> {
    return this.#write([() => this.#shardOf(record)], (t) => t.save(record));
  }

  update(record: T): Promise<void> {
    return this.#write([() => this.#shardOf(record)], (t) => t.update(record));
  }

  delete(key: readonly KeyValue[]): Promise<boolean> {
    // The shard key is a partition key field, so the primary key holds its value.
    return this.#write([() => key[planOf(this.model).key.findIndex((p) => p.field === planOf(this.model).shard)]!], (t) => t.delete(key));
  }

  count(partition: readonly KeyValue[] | undefined): Promise<number> {
    return this.#read().count(partition);
  }

  list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    return this.#read().list(partition, page);
  }

  findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    return this.#read().findUnique(index, values);
  }

  findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    return this.#read().findMany(index, values, page);
  }

  #read(): MemoryTable<T> {
    return this.store.memoryTable(this.model);
  }

  #shardOf(record: T): KeyValue {
    return fieldValue(record, planOf(this.model).shard!) as KeyValue;
  }

  #write<R>(shardValues: readonly (() => KeyValue)[], f: (table: MemoryTable<T>) => Promise<R>): Promise<R> {
    if (!this.store.writable) {
      return Promise.reject(
        new RonyError(
          ErrorCode.FAILED_PRECONDITION,
          `${this.model.name}: connection "${this.store.name}" (raft) is written only by a replicated call, which runs on every replica in log order (docs/cluster.md)`,
        ),
      );
    }
    try {
      for (const value of shardValues) this.store.checkSlot(this.model as ModelDescriptor<unknown>, value);
    } catch (e) {
      return Promise.reject(e as Error);
    }
    return f(this.store.memoryTable(this.model));
  }
}
