// The Redis key layout of a model (docs/models.md has the table):
//
//   <prefix><table>:{<shard>}:r:<pk>                    hash: d = protobuf record, x = index keys it holds
//   <prefix><table>:{<shard>}:p:<partition>             zset: the partition's records in key order
//   <prefix><table>:{<shard>}:i:<index>:<values>        zset: the shard's records with a non-unique value
//   <prefix><table>:d:<index>:{<values>}                set: shard tags that hold records with that value
//   <prefix><table>:u:<index>:{<values>}                string: "<record key>\n<token>", the owner of a unique value
//                                                       (token: "<claim ms>", on shards "<claim ms>.<nonce>")
//
// Every key of a record carries the record's shard key as its `{hash tag}` (as runtime/redis's
// shardedKey() builds it), so one script on one node or slot writes a record with all of them.
// Unique claims and the directory of a non-unique value are global: they live where the value
// hashes and are written in a step of their own (claims.ts).
//
// Zset members are `<order key>|<primary key text>`, all with score 0: ZRANGEBYLEX walks them in
// primary key order (order-key.ts), and the record key is the zset's `<table>:{<shard>}` with
// `:r:<primary key text>`: a zset holds records of its own tag only, so members leave it out.
//
// The model plugin writes these formats out once more, per model, in its RedisEntryBuilder
// (plugins/model/print-redis-entry.ts): a change here is a change there, and
// test/model/redis-layout.test.ts holds the two equal.
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

/**
 * The owner record key and the time of a claim value "<record key>\n<ms>" or
 * "<record key>\n<ms>.<nonce>" (a bare key, or no readable time: time 0).
 */
export function parseClaim(claim: string): { owner: string; at: number } {
  const newline = claim.lastIndexOf("\n");
  if (newline < 0) return { owner: claim, at: 0 };
  const at = Number.parseInt(claim.slice(newline + 1), 10);
  return { owner: claim.slice(0, newline), at: Number.isNaN(at) ? 0 : at };
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

  partition(values: readonly KeyValue[]): string {
    return this.partitionOf(this.tag(values), joinParts(values));
  }

  unique(index: string, values: readonly KeyValue[]): string {
    return `${this.base}:u:${index}:{${joinParts(values)}}`;
  }

  /** The zset of one shard's records with these index values (`tag` from `tag()`). */
  nonUnique(tag: string, index: string, values: readonly KeyValue[]): string {
    return `${this.base}:${tag}:i:${index}:${joinParts(values)}`;
  }

  /** The set of shard tags holding records with these index values. */
  directory(index: string, values: readonly KeyValue[]): string {
    return `${this.base}:d:${index}:{${joinParts(values)}}`;
  }

  /** A record key from its tag and its primary key in key text (keyText, joined by ":"). */
  recordOf(tag: string, key: string): string {
    return `${this.base}:${tag}:r:${key}`;
  }

  /** A partition zset key from its tag and its partition values in key text. */
  partitionOf(tag: string, partition: string): string {
    return `${this.base}:${tag}:p:${partition}`;
  }
}
