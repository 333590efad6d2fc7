// Everything a write needs to know about one record, computed once per call: its keys (all
// under the record's tag, except the global claims and directories), its zset member and the
// `x` list of index keys it holds. Inserts run this on every call, so each field is read and
// turned into key text once, and the keys land in the order the scripts take them.
import type { FieldDescriptor, ModelDescriptor } from "../descriptor.js";
import { orderKey } from "../order-key.js";
import { indexPlan, planOf, type ModelPlan } from "../plan.js";
import { fieldValue, keyValues, type KeyValue } from "../values.js";
import { joinParts, keyText, RedisKeys, shardTag } from "./keys.js";

interface IndexLayout {
  readonly name: string;
  readonly unique: boolean;
  readonly fields: readonly FieldDescriptor[];
  /** Where the shard field sits among the index fields, or -1: then finders need the directory. */
  readonly shardAt: number;
  /** Where each index field's text is in a record's texts (see `#textFields`). */
  readonly slots: readonly number[];
  /** Its keys from its values in key text (RedisKeys builds them; the text around is made once). */
  readonly claimKey: (values: string) => string;
  readonly zsetKey: (tag: string, values: string) => string;
  readonly dirKey: (values: string) => string;
}

export interface Entry {
  readonly key: KeyValue[];
  readonly tag: string;
  /** Record, partition, unique claim keys (global), non-unique zsets (under the tag), then directory sets (global) of the non-unique values whose index lacks the shard field. */
  readonly keys: string[];
  readonly rec: string;
  readonly part: string;
  readonly member: string;
  readonly body: Buffer;
  /** The `x` field: "u<claim>\n" and "i<zset>\n" lines. */
  readonly held: string;
}

export class ModelLayout<T> {
  readonly plan: ModelPlan<T>;
  readonly keys: RedisKeys;
  /** How many keys of each kind an entry has: the same for every record of the model. */
  readonly claims: number;
  readonly zsets: number;
  readonly dirs: number;
  readonly #keyFields: readonly FieldDescriptor[];
  /** The key fields, then the index fields that are not key fields. */
  readonly #textFields: readonly FieldDescriptor[];
  /** Unique indexes first, as the one-node scripts take claims before zsets. */
  readonly #indexes: readonly IndexLayout[];
  readonly #byName: ReadonlyMap<string, IndexLayout>;
  /** Per text field, its key text: numbers need no escaping, so they skip keyText's checks. */
  readonly #toText: readonly ((value: KeyValue) => string)[];
  /** Where the shard field's text is when it is a number (its tag is then `{<text>}`), else -1. */
  readonly #numericShardAt: number;

  constructor(model: ModelDescriptor<T>, keyPrefix: string) {
    this.plan = planOf(model);
    this.keys = new RedisKeys(keyPrefix, this.plan as ModelPlan<unknown>);
    this.#keyFields = this.plan.key.map((p) => p.field);
    const textFields = [...this.#keyFields];
    const slot = (f: FieldDescriptor) => {
      if (!textFields.includes(f)) textFields.push(f);
      return textFields.indexOf(f);
    };
    const shard = this.plan.shard;
    const all = [...this.plan.indexes.values()].map((ix) => ({
      name: ix.index.name,
      unique: ix.index.unique,
      fields: ix.fields,
      shardAt: shard === undefined ? -1 : ix.fields.indexOf(shard),
      slots: ix.fields.map(slot),
      claimKey: this.keys.uniqueKeys(ix.index.name),
      zsetKey: this.keys.nonUniqueKeys(ix.index.name),
      dirKey: this.keys.directoryKeys(ix.index.name),
    }));
    this.#textFields = textFields;
    this.#toText = textFields.map((f) => (numericTypes.has(f.type) ? String : keyText));
    const shardAt = shard === undefined ? -1 : this.#keyFields.indexOf(shard);
    this.#numericShardAt = shardAt >= 0 && numericTypes.has((shard as FieldDescriptor).type) ? shardAt : -1;
    this.#indexes = [...all.filter((ix) => ix.unique), ...all.filter((ix) => !ix.unique)];
    this.#byName = new Map(this.#indexes.map((ix) => [ix.name, ix]));
    this.claims = all.filter((ix) => ix.unique).length;
    this.zsets = all.length - this.claims;
    this.dirs = all.filter((ix) => !ix.unique && ix.shardAt < 0).length;
  }

  get model(): ModelDescriptor<T> {
    return this.plan.model;
  }

  entry(record: T): Entry {
    const keyFields = this.#keyFields;
    const textFields = this.#textFields;
    const toText = this.#toText;
    const key: KeyValue[] = new Array(keyFields.length);
    const texts: string[] = new Array(textFields.length);
    for (let i = 0; i < textFields.length; i++) {
      const value = fieldValue(record, textFields[i] as FieldDescriptor) as KeyValue;
      if (i < keyFields.length) key[i] = value;
      texts[i] = (toText[i] as (value: KeyValue) => string)(value);
    }
    const tag = this.#numericShardAt >= 0 ? `{${texts[this.#numericShardAt] as string}}` : this.keys.tag(key);
    const partitionLength = this.plan.partition.length;
    let partition = partitionLength === 0 ? "" : (texts[0] as string);
    for (let i = 1; i < partitionLength; i++) partition += `:${texts[i] as string}`;
    let pk = partition;
    for (let i = partitionLength; i < key.length; i++) pk += i === 0 ? (texts[i] as string) : `:${texts[i] as string}`;
    const rec = this.keys.recordOf(tag, pk);
    const part = this.keys.partitionOf(tag, partition);
    const keys = [rec, part];
    let held = "";
    let dirs: string[] | undefined;
    for (const ix of this.#indexes) {
      const values = joinSlots(texts, ix.slots);
      if (ix.unique) {
        const claim = ix.claimKey(values);
        keys.push(claim);
        held += `u${claim}\n`;
      } else {
        const zset = ix.zsetKey(tag, values);
        keys.push(zset);
        held += `i${zset}\n`;
        if (ix.shardAt < 0) (dirs ??= []).push(ix.dirKey(values));
      }
    }
    if (dirs !== undefined) keys.push(...dirs);
    // A copy, not a view: a small Uint8Array lives on V8's heap, and asking for its .buffer moves
    // it off-heap first, which costs more than copying its bytes.
    const body = Buffer.from(this.plan.model.codec.encode(record).finish());
    return { key, tag, keys, rec, part, member: this.#member(key, pk), body, held };
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

// Integer and float fields: their text never holds a character keys escape, and is never "".
const numericTypes: ReadonlySet<string> = new Set(["int32", "uint32", "int64", "uint64", "double", "float", "enum"]);

/** An index's values as key text: the record's texts at its slots, joined by ":". */
function joinSlots(texts: readonly string[], slots: readonly number[]): string {
  let out = texts[slots[0] as number] as string;
  for (let i = 1; i < slots.length; i++) out += `:${texts[slots[i] as number] as string}`;
  return out;
}

function sameValue(a: KeyValue, b: KeyValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0;
  return a === b || (typeof a !== "object" && typeof b !== "object" && String(a) === String(b));
}
