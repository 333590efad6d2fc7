// Everything a write needs to know about one record, computed once per call: its keys (all
// under the record's tag, except the global claims and directories), its zset member and the
// `x` list of index keys it holds.
import type { FieldDescriptor, ModelDescriptor } from "../descriptor.js";
import { orderKey } from "../order-key.js";
import { indexPlan, planOf, type ModelPlan } from "../plan.js";
import { keyValues, type KeyValue } from "../values.js";
import { RedisKeys, shardTag } from "./keys.js";

interface IndexLayout {
  readonly name: string;
  readonly unique: boolean;
  readonly fields: readonly FieldDescriptor[];
  /** Where the shard field sits among the index fields, or -1: then finders need the directory. */
  readonly shardAt: number;
}

export interface Entry {
  readonly key: KeyValue[];
  readonly rec: string;
  readonly part: string;
  readonly tag: string;
  readonly member: string;
  readonly body: Buffer;
  /** Unique claim keys (global). */
  readonly claims: string[];
  /** Non-unique zsets under the record's tag. */
  readonly zsets: string[];
  /** Directory sets (global) of the non-unique values whose index lacks the shard field. */
  readonly dirs: string[];
  /** The `x` field: "u<claim>\n" and "i<zset>\n" lines. */
  readonly held: string;
}

export class ModelLayout<T> {
  readonly plan: ModelPlan<T>;
  readonly keys: RedisKeys;
  readonly #keyFields: readonly FieldDescriptor[];
  readonly #indexes: readonly IndexLayout[];

  constructor(model: ModelDescriptor<T>, keyPrefix: string) {
    this.plan = planOf(model);
    this.keys = new RedisKeys(keyPrefix, this.plan as ModelPlan<unknown>);
    this.#keyFields = this.plan.key.map((p) => p.field);
    const shard = this.plan.shard;
    const all = [...this.plan.indexes.values()].map((ix) => ({
      name: ix.index.name,
      unique: ix.index.unique,
      fields: ix.fields,
      shardAt: shard === undefined ? -1 : ix.fields.indexOf(shard),
    }));
    // Unique indexes first: the one-node script takes claims before zsets.
    this.#indexes = [...all.filter((ix) => ix.unique), ...all.filter((ix) => !ix.unique)];
  }

  get model(): ModelDescriptor<T> {
    return this.plan.model;
  }

  entry(record: T): Entry {
    const key = keyValues(record, this.#keyFields);
    const tag = this.keys.tag(key);
    const [rec, part] = this.keys.recordAndPartition(key, this.plan.partition.length, tag);
    const claims: string[] = [];
    const zsets: string[] = [];
    const dirs: string[] = [];
    let held = "";
    for (const ix of this.#indexes) {
      const values = keyValues(record, ix.fields);
      if (ix.unique) {
        const claim = this.keys.unique(ix.name, values);
        claims.push(claim);
        held += `u${claim}\n`;
      } else {
        const zset = this.keys.nonUnique(tag, ix.name, values);
        zsets.push(zset);
        held += `i${zset}\n`;
        if (ix.shardAt < 0) dirs.push(this.keys.directory(ix.name, values));
      }
    }
    const encoded = this.plan.model.codec.encode(record).finish();
    const body = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    return { key, rec, part, tag, member: this.member(key, rec), body, claims, zsets, dirs, held };
  }

  member(key: readonly KeyValue[], rec: string): string {
    return `${orderKey(this.plan.key, key)}|${rec}`;
  }

  /**
   * Where a non-unique finder reads: the one zset of the shard when the index holds the shard
   * field, else the directory set listing the shards that hold the value.
   */
  finder(index: string, values: readonly KeyValue[]): { zset: string } | { directory: string; zsetOf: (tag: string) => string } {
    const ix = this.#index(index);
    if (ix.unique) throw new Error(`index ${index} is unique: use findUnique`);
    if (ix.shardAt >= 0) return { zset: this.keys.nonUnique(shardTag(values[ix.shardAt] as KeyValue), index, values) };
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
    indexPlan(this.plan, name);
    return this.#indexes.find((ix) => ix.name === name) as IndexLayout;
  }
}

function sameValue(a: KeyValue, b: KeyValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return a === b || (typeof a !== "object" && typeof b !== "object" && String(a) === String(b));
}
