// What a generated repository tells the runtime about its model: fields and how they are stored,
// the primary key, the indexes and the message codec. Generated once per model at module load;
// every back-end reads it, none reads the .proto.
import type { KeyValue } from "./values.js";

/** How a field's value is held in TypeScript, which decides its storage and ordering. */
export type ValueType =
  | "string" | "bytes" | "bool" | "int32" | "uint32" | "int64" | "uint64" | "double" | "float" | "enum"
  /** Repeated fields, maps and nested messages: stored as their proto3 JSON. */
  | "list" | "map" | "message";

export interface FieldDescriptor {
  /** The proto field name ("created_at"). */
  readonly name: string;
  /** The message's property ("createdAt"). */
  readonly prop: string;
  /** proto3 JSON name, used for list, map and message fields. */
  readonly json: string;
  /** SQL column / Redis field name, from (rony.field).column. */
  readonly column: string;
  readonly type: ValueType;
  /** Presence is tracked (proto3 optional, oneof member, message): the column is nullable. */
  readonly nullable: boolean;
  /** The MySQL column type, NOT NULL / DEFAULT included, as the model plugin mapped it. */
  readonly sql: string;
  /** (rony.field).default, already parsed: applied when a record is written with the zero value. */
  readonly defaultValue?: string | number | bigint | boolean;
}

export interface SortKeyPart {
  readonly field: string;
  readonly descending: boolean;
}

export interface IndexDescriptor {
  readonly name: string;
  /** Field names (proto), in index order. */
  readonly fields: readonly string[];
  readonly unique: boolean;
}

/** The slice of a generated message codec the model runtime uses. */
export interface ModelCodec<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
  create(): T;
}

export interface ModelDescriptor<T> {
  /** Fully-qualified message name. */
  readonly name: string;
  /** SQL table / Redis key prefix. */
  readonly table: string;
  readonly codec: ModelCodec<T>;
  readonly fields: readonly FieldDescriptor[];
  /** Proto field names picking the partition. */
  readonly partitionKey: readonly string[];
  readonly sortKey: readonly SortKeyPart[];
  readonly indexes: readonly IndexDescriptor[];
  /** The field that picks a shard (a partition key field). */
  readonly shardKey: string;
  /** (rony.model).subscribable: the repository has `subscribe…` finders (docs/streams.md). */
  readonly subscribable?: boolean;
  /** Given `<key prefix><table>`: the model's Redis keys, written out field by field by the model plugin. */
  redisEntry(base: string): RedisEntryBuilder<T>;
}

/**
 * What a Redis write needs to know about one record (docs/models.md has the key layout): its
 * keys in the order the scripts take them, its zset member, the index keys it holds and its body.
 */
export interface RedisEntry {
  readonly tag: string;
  /** Record, partition, unique claim keys (global), non-unique zsets (under the tag), then directory sets (global) of the non-unique values whose index lacks the shard field. */
  readonly keys: string[];
  readonly rec: string;
  readonly part: string;
  /** `<order key>|<primary key text>`. */
  readonly member: string;
  readonly body: Buffer;
  /** The record hash's `x` field: "u<claim>\n" and "i<zset>\n" lines. */
  readonly held: string;
}

/**
 * A model's Redis keys: a record's RedisEntry for writes, a primary key's record key for reads.
 * Generated per model so that each field is read once, with the key text around the values
 * inlined; test/model/redis-layout.test.ts holds every builder to RedisKeys and orderKey.
 */
export interface RedisEntryBuilder<T> {
  // A method, so that a ModelDescriptor<Record> still passes where a ModelDescriptor<unknown> is taken.
  entry(record: T, body: Buffer): RedisEntry;
  /** The record key of a primary key (its values in key order), for reads. */
  record(key: readonly KeyValue[]): string;
}
