// The Redis key layout of a model (docs/models.md has the table):
//
//   <prefix><table>:{<shard>}:r:<pk>                    hash: d = protobuf record, x = index keys it holds
//   <prefix><table>:{<shard>}:p:<partition>             zset: the partition's records in key order
//   <prefix><table>:{<shard>}:i:<index>:<values>        zset: the shard's records with a non-unique value
//   <prefix><table>:d:<index>:{<values>}                set: shard tags that hold records with that value
//   <prefix><table>:u:<index>:{<values>}                string: "<record key>\n<claim ms>", the owner of a unique value
//
// Every key of a record carries the record's shard key as its `{hash tag}` (as runtime/redis's
// shardedKey() builds it), so one script on one node or slot writes a record with all of them.
// Unique claims and the directory of a non-unique value are global: they live where the value
// hashes and are written in a step of their own (claims.ts).
//
// Zset members are `<order key>|<primary key text>`, all with score 0: ZRANGEBYLEX walks them in
// primary key order (order-key.ts), and the record key is the zset's `<table>:{<shard>}` with
// `:r:<primary key text>`: a zset holds records of its own tag only, so members leave it out.
import type { ModelPlan } from "../plan.js";
import type { KeyValue } from "../values.js";
import { textOf } from "../values.js";

const SPECIAL = /[%{}:\r\n]/;
const SPECIALS = /[%{}:\r\n]/g;
const TAG_SPECIAL = /[%{}]/;
const TAG_SPECIALS = /[%{}]/g;
const GLOB_SPECIALS = /[*?[\]\\]/g;
const escape = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0")}`;

/**
 * A value's text inside a key: `%`, `{`, `}`, `:` and line breaks escaped, "" written as "%".
 * Only strings can hold those: numbers, bigints, booleans and base64 bytes never do (empty
 * bytes are "" though).
 */
export function keyText(value: KeyValue): string {
  if (typeof value !== "string") return textOf(value) || "%";
  if (value === "") return "%";
  return SPECIAL.test(value) ? value.replace(SPECIALS, escape) : value;
}

export function joinParts(values: readonly KeyValue[]): string {
  if (values.length === 0) return "";
  let out = keyText(values[0] as KeyValue);
  for (let i = 1; i < values.length; i++) out += `:${keyText(values[i] as KeyValue)}`;
  return out;
}

/**
 * The `{tag}` of a shard key value, encoded exactly as runtime/redis's shardedKey() does (a test
 * holds them equal); written out here because this runs on every call.
 */
export function shardTag(value: KeyValue): string {
  const text = textOf(value);
  if (text === "") return "{%}";
  return `{${TAG_SPECIAL.test(text) ? text.replace(TAG_SPECIALS, escape) : text}}`;
}

/** The owner record key of a claim value "<record key>\n<ms>" (or a bare key). */
export function claimOwner(claim: string): string {
  const newline = claim.lastIndexOf("\n");
  return newline < 0 ? claim : claim.slice(0, newline);
}

/** The owner record key and the time of a claim value "<record key>\n<ms>" (a bare key: time 0). */
export function parseClaim(claim: string): { owner: string; at: number } {
  const newline = claim.lastIndexOf("\n");
  return newline < 0 ? { owner: claim, at: 0 } : { owner: claim.slice(0, newline), at: Number(claim.slice(newline + 1)) };
}

export class RedisKeys {
  readonly base: string;
  /** SCAN pattern of every partition zset of the model, on any node. */
  readonly partitions: string;

  readonly #shardAt: number;

  constructor(prefix: string, plan: ModelPlan<unknown>) {
    // Braces in the prefix would move the hash tag.
    if (/[{}]/.test(prefix)) throw new RangeError(`key prefix ${JSON.stringify(prefix)} must not contain { or }`);
    this.base = `${prefix}${plan.model.table}`;
    this.#shardAt = plan.shard === undefined ? -1 : plan.partition.indexOf(plan.shard);
    // Values in keys escape "}", so the first "}:p:" after the tag's "{" ends a partition key's tag.
    this.partitions = `${this.base.replace(GLOB_SPECIALS, "\\$&")}:{*}:p:*`;
  }

  /** The `{tag}` of a primary key or partition (the shard value is one of the partition values). */
  tag(keyOrPartition: readonly KeyValue[]): string {
    // A singleton has no key: its one record is tagged by the table name.
    return this.#shardAt < 0 ? `{${this.base}}` : shardTag(keyOrPartition[this.#shardAt] as KeyValue);
  }

  record(key: readonly KeyValue[]): string {
    return this.recordOf(this.tag(key), joinParts(key));
  }

  partition(values: readonly KeyValue[]): string {
    return this.partitionOf(this.tag(values), joinParts(values));
  }

  unique(index: string, values: readonly KeyValue[]): string {
    return this.uniqueOf(index, joinParts(values));
  }

  /** The zset of one shard's records with these index values (`tag` from `tag()`). */
  nonUnique(tag: string, index: string, values: readonly KeyValue[]): string {
    return this.nonUniqueOf(tag, index, joinParts(values));
  }

  /** The set of shard tags holding records with these index values. */
  directory(index: string, values: readonly KeyValue[]): string {
    return this.directoryOf(index, joinParts(values));
  }

  // The same keys from values already in key text (keyText, joined by ":"), for writes that
  // convert each field once.

  recordOf(tag: string, key: string): string {
    return `${this.base}:${tag}:r:${key}`;
  }

  partitionOf(tag: string, partition: string): string {
    return `${this.base}:${tag}:p:${partition}`;
  }

  uniqueOf(index: string, values: string): string {
    return this.uniqueKeys(index)(values);
  }

  nonUniqueOf(tag: string, index: string, values: string): string {
    return this.nonUniqueKeys(index)(tag, values);
  }

  directoryOf(index: string, values: string): string {
    return this.directoryKeys(index)(values);
  }

  // Per index, the text around the values is built once: writes make these keys on every call.

  readonly #unique = new Map<string, (values: string) => string>();
  readonly #nonUnique = new Map<string, (tag: string, values: string) => string>();
  readonly #directory = new Map<string, (values: string) => string>();

  /** An index's claim key from its values in key text. */
  uniqueKeys(index: string): (values: string) => string {
    let make = this.#unique.get(index);
    if (make === undefined) {
      const head = `${this.base}:u:${index}:{`;
      make = (values) => `${head}${values}}`;
      this.#unique.set(index, make);
    }
    return make;
  }

  /** An index's zset key on one shard (`tag`) from its values in key text. */
  nonUniqueKeys(index: string): (tag: string, values: string) => string {
    let make = this.#nonUnique.get(index);
    if (make === undefined) {
      const base = this.base;
      const middle = `:i:${index}:`;
      make = (tag, values) => `${base}:${tag}${middle}${values}`;
      this.#nonUnique.set(index, make);
    }
    return make;
  }

  /** An index's directory set key from its values in key text. */
  directoryKeys(index: string): (values: string) => string {
    let make = this.#directory.get(index);
    if (make === undefined) {
      const head = `${this.base}:d:${index}:{`;
      make = (values) => `${head}${values}}`;
      this.#directory.set(index, make);
    }
    return make;
  }
}
