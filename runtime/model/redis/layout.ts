// A model's Redis layout: the entry of a write (built by the model's generated RedisEntryBuilder),
// the keys of deletes and reads, and where index finders look. Key formats live in keys.ts.
import type { FieldDescriptor, ModelCodec, ModelDescriptor, RedisEntry as Entry, RedisEntryBuilder } from "../descriptor.js";
import { orderKey } from "../order-key.js";
import { indexPlan, planOf, type ModelPlan } from "../plan.js";
import { keyValues, type KeyValue } from "../values.js";
import { joinParts, RedisKeys, shardTag } from "./keys.js";

interface IndexLayout {
  readonly name: string;
  readonly unique: boolean;
  readonly fields: readonly FieldDescriptor[];
  /** Where the shard field sits among the index fields, or -1: then finders need the directory. */
  readonly shardAt: number;
}

export class ModelLayout<T> {
  readonly plan: ModelPlan<T>;
  readonly keys: RedisKeys;
  /** How many keys of each kind an entry has: the same for every record of the model. */
  readonly claims: number;
  readonly zsets: number;
  readonly dirs: number;
  readonly #byName: ReadonlyMap<string, IndexLayout>;
  readonly #builder: RedisEntryBuilder<T>;
  readonly #codec: ModelCodec<T>;

  constructor(model: ModelDescriptor<T>, keyPrefix: string) {
    this.plan = planOf(model);
    this.keys = new RedisKeys(keyPrefix, this.plan as ModelPlan<unknown>);
    const shard = this.plan.shard;
    const all = [...this.plan.indexes.values()].map((ix) => ({
      name: ix.index.name,
      unique: ix.index.unique,
      fields: ix.fields,
      shardAt: shard === undefined ? -1 : ix.fields.indexOf(shard),
    }));
    this.#byName = new Map(all.map((ix) => [ix.name, ix]));
    this.claims = all.filter((ix) => ix.unique).length;
    this.zsets = all.length - this.claims;
    this.dirs = all.filter((ix) => !ix.unique && ix.shardAt < 0).length;
    this.#builder = model.redisEntry(this.keys.base);
    this.#codec = model.codec;
  }

  get model(): ModelDescriptor<T> {
    return this.plan.model;
  }

  entry(record: T): Entry {
    // A copy, not a view: a small Uint8Array lives on V8's heap, and asking for its .buffer moves
    // it off-heap first, which costs more than copying its bytes.
    return this.#builder.entry(record, Buffer.from(this.#codec.encode(record).finish()));
  }

  /** A record's key from its primary key. */
  record(key: readonly KeyValue[]): string {
    return this.#builder.record(key);
  }

  /** A record's key, its partition's key and its zset member, from its primary key. */
  locate(key: readonly KeyValue[]): { rec: string; part: string; member: string } {
    const tag = this.keys.tag(key);
    const pk = joinParts(key);
    return {
      rec: this.keys.recordOf(tag, pk),
      part: this.keys.partitionOf(tag, joinParts(key.slice(0, this.plan.partition.length))),
      member: this.#member(key, pk),
    };
  }

  /** The record key a zset member names; `tag` is the zset's own (members name records of their tag). */
  recordOfMember(tag: string, member: string): string {
    return this.keys.recordOf(tag, member.slice(member.indexOf("|") + 1));
  }

  /** The unique claim keys of an entry. */
  claimsOf(e: Entry): string[] {
    return e.keys.slice(2, 2 + this.claims);
  }

  /** The non-unique zsets of an entry, under its tag. */
  zsetsOf(e: Entry): string[] {
    return e.keys.slice(2 + this.claims, 2 + this.claims + this.zsets);
  }

  /** The directory sets of an entry's non-unique values whose index lacks the shard field. */
  dirsOf(e: Entry): string[] {
    return e.keys.slice(2 + this.claims + this.zsets);
  }

  /** `<order key>|<primary key text>`: the record key without the tag's prefix, which the zset's own key carries. */
  #member(key: readonly KeyValue[], pk: string): string {
    return `${orderKey(this.plan.key, key)}|${pk}`;
  }

  /**
   * Where a non-unique finder reads: the one zset of the shard when the index holds the shard
   * field, else the directory set listing the shards that hold the value.
   */
  finder(index: string, values: readonly KeyValue[]): { zset: string; tag: string } | { directory: string; zsetOf: (tag: string) => string } {
    const ix = this.#index(index);
    if (ix.unique) throw new Error(`index ${index} is unique: use findUnique`);
    if (ix.shardAt >= 0) {
      const tag = shardTag(values[ix.shardAt] as KeyValue);
      return { zset: this.keys.nonUnique(tag, index, values), tag };
    }
    return { directory: this.keys.directory(index, values), zsetOf: (tag) => this.keys.nonUnique(tag, index, values) };
  }

  claimKey(index: string, values: readonly KeyValue[]): string {
    this.#index(index);
    return this.keys.unique(index, values);
  }

  /** Whether a record holds these unique index values (a claim may be stale). */
  holds(record: T, index: string, values: readonly KeyValue[]): boolean {
    const stored = keyValues(record, this.#index(index).fields);
    return stored.every((v, i) => sameValue(v, values[i] as KeyValue));
  }

  #index(name: string): IndexLayout {
    const ix = this.#byName.get(name);
    if (ix === undefined) indexPlan(this.plan, name); // throws: no such index
    return ix as IndexLayout;
  }
}

function sameValue(a: KeyValue, b: KeyValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return a === b || (typeof a !== "object" && typeof b !== "object" && String(a) === String(b));
}
