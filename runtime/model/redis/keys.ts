// The Redis key layout of a model (docs/models.md has the table):
//
//   <prefix><table>:{<shard>}:r:<pk>            hash: d = protobuf record, x = index keys it holds
//   <prefix><table>:{<shard>}:p:<partition>     zset: the partition's records in key order
//   <prefix><table>:u:<index>:{<values>}        string: record key owning a unique value
//   <prefix><table>:i:<index>:{<values>}        zset: records with a non-unique value, in key order
//   <prefix><table>:count                       integer: records in the model
//
// Zset members are `<order key>|<record key>`, all with score 0: ZRANGEBYLEX walks them in
// primary key order (order-key.ts) and the record key follows the "|". A record and its
// partition share the `{shard}` hash tag, so they live on one node or slot when sharded.
import { shardedKey } from "../../redis/key-value/keys.js";
import type { ModelPlan } from "../plan.js";
import type { KeyValue } from "../values.js";
import { textOf } from "../values.js";

/** A value's text inside a key: `%`, `{`, `}`, `:` and line breaks escaped, "" written as "%". */
function part(value: KeyValue): string {
  const text = textOf(value);
  return text === "" ? "%" : text.replace(/[%{}:\r\n]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export function joinParts(values: readonly KeyValue[]): string {
  return values.map(part).join(":");
}

export class RedisKeys {
  readonly base: string;
  readonly count: string;

  constructor(prefix: string, private readonly plan: ModelPlan<unknown>) {
    this.base = `${prefix}${plan.model.table}`;
    this.count = `${this.base}:count`;
  }

  /** `key` holds the primary key values; the shard value is one of the partition values. */
  record(key: readonly KeyValue[]): string {
    return shardedKey(this.base, this.#shard(key), "r", joinParts(key));
  }

  partition(values: readonly KeyValue[]): string {
    return shardedKey(this.base, this.#shard(values), "p", joinParts(values));
  }

  unique(index: string, values: readonly KeyValue[]): string {
    return `${this.base}:u:${index}:{${joinParts(values)}}`;
  }

  nonUnique(index: string, values: readonly KeyValue[]): string {
    return `${this.base}:i:${index}:{${joinParts(values)}}`;
  }

  /** The shard key's value as text: runtime/redis's shardedKey() makes the `{tag}` of it. */
  #shard(keyOrPartition: readonly KeyValue[]): string {
    return textOf(keyOrPartition[this.plan.partition.indexOf(this.plan.shard)] as KeyValue);
  }
}
