import type { CommandTarget } from "../../redis/key-value/key-router.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { FieldDescriptor, ModelDescriptor } from "../descriptor.js";
import { alreadyExists, internal, notFound } from "../errors.js";
import { orderKey } from "../order-key.js";
import { indexPlan, planOf, type KeyPart, type ModelPlan } from "../plan.js";
import { pageLimit, type ModelTable, type Page, type PageRequest } from "../store.js";
import { keyValues, type KeyValue } from "../values.js";
import { RedisKeys } from "./keys.js";
import { DELETE_SCRIPT, WRITE_ONE_SCRIPT, WRITE_SCRIPT } from "./scripts.js";
import { ScriptRunner } from "./script-runner.js";

/** Where errors say they came from, and how a failure becomes a typed error. */
export interface RedisContext {
  readonly target: CommandTarget;
  readonly scripts: ScriptRunner;
  readonly keyPrefix: string;
  fail(error: unknown, model: string): unknown;
}

type Arg = string | Buffer | number;

export class RedisTable<T> implements ModelTable<T> {
  readonly #plan: ModelPlan<T>;
  readonly #keys: RedisKeys;
  readonly #keyFields;
  /** Per index: unique or not, its key prefix and fields, in descriptor order. */
  readonly #indexes: readonly { unique: boolean; name: string; fields: readonly FieldDescriptor[] }[];
  readonly #partitionLength: number;

  constructor(
    model: ModelDescriptor<T>,
    private readonly ctx: RedisContext,
  ) {
    this.#plan = planOf(model);
    this.#keys = new RedisKeys(ctx.keyPrefix, this.#plan as ModelPlan<unknown>);
    this.#keyFields = this.#plan.key.map((p) => p.field);
    this.#partitionLength = this.#plan.partition.length;
    const indexes = [...this.#plan.indexes.values()].map((ix) => ({ unique: ix.index.unique, name: ix.index.name, fields: ix.fields }));
    // Unique index keys come first in the script's KEYS.
    this.#indexes = [...indexes.filter((ix) => ix.unique), ...indexes.filter((ix) => !ix.unique)];
  }

  get(key: readonly KeyValue[]): Promise<T | null> {
    return this.ctx.target.callBuffer("hget", this.#keys.record(key), "d").then((body) => (body === null ? null : this.#decode(body as Buffer)), this.#reject);
  }

  async getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    return this.#records(keys.map((k) => this.#keys.record(k)));
  }

  async exists(key: readonly KeyValue[]): Promise<boolean> {
    return (await this.#call(() => this.ctx.target.call("exists", this.#keys.record(key)))) === 1;
  }

  insert(records: readonly T[]): Promise<void> {
    return this.#write("insert", records);
  }

  save(record: T): Promise<void> {
    return this.#write("save", [record]);
  }

  update(record: T): Promise<void> {
    return this.#write("update", [record]);
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const rec = this.#keys.record(key);
    const partition = this.#keys.partition(key.slice(0, this.#plan.partition.length));
    const keys = [this.#keys.count, rec, partition];
    const deleted = await this.#call(() => this.ctx.scripts.run(DELETE_SCRIPT, keys, [this.#member(key, rec)]));
    return deleted === 1;
  }

  async count(partition: readonly KeyValue[] | undefined): Promise<number> {
    const reply = partition === undefined
      ? await this.#call(() => this.ctx.target.call("get", this.#keys.count))
      : await this.#call(() => this.ctx.target.call("zcard", this.#keys.partition(partition)));
    return Number(reply ?? 0);
  }

  async list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const after = page.cursor ? [...partition, ...decodeCursor(this.#plan.sort, page.cursor)] : undefined;
    return this.#page(this.#keys.partition(partition), after, this.#plan.sort, page);
  }

  async findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    indexPlan(this.#plan, index);
    const rec = await this.#call(() => this.ctx.target.call("get", this.#keys.unique(index, values)));
    return rec === null ? null : ((await this.#records([rec as string]))[0] ?? null);
  }

  async findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const ix = indexPlan(this.#plan, index);
    const zset = ix.index.unique ? undefined : this.#keys.nonUnique(index, values);
    if (zset === undefined) throw new Error(`index ${index} is unique: use findUnique`);
    const after = page.cursor ? decodeCursor(this.#plan.key, page.cursor) : undefined;
    return this.#page(zset, after, this.#plan.key, page);
  }

  /** A zset page: members after the cursor's order key, then their records in one pipeline. */
  async #page(zset: string, after: readonly KeyValue[] | undefined, cursorParts: readonly KeyPart[], page: PageRequest): Promise<Page<T>> {
    const limit = pageLimit(page);
    // "}" sorts after "|", so "(<order key>}" starts right after every member of that key.
    const min = after === undefined ? "-" : `(${orderKey(this.#plan.key, after)}}`;
    const members = (await this.#call(() => this.ctx.target.call("zrangebylex", zset, min, "+", "LIMIT", 0, limit + 1))) as string[];
    const keys = members.slice(0, limit).map((m) => m.slice(m.indexOf("|") + 1));
    const items = (await this.#records(keys)).filter((r): r is T => r !== null);
    const last = items[items.length - 1];
    const nextCursor = members.length > limit && last !== undefined ? encodeCursor(keyValues(last, cursorParts.map((p) => p.field))) : "";
    return { items, nextCursor };
  }

  async #records(recordKeys: readonly string[]): Promise<(T | null)[]> {
    if (recordKeys.length === 0) return [];
    if (recordKeys.length === 1) {
      const body = await this.#call(() => this.ctx.target.callBuffer("hget", recordKeys[0] as string, "d"));
      return [body === null ? null : this.#decode(body as Buffer)];
    }
    const replies = await this.#call(() => this.ctx.target.pipeline(recordKeys.map((k) => ["hgetBuffer", k, "d"])).exec());
    return (replies ?? []).map(([error, body]) => {
      if (error !== null) throw this.ctx.fail(error, this.#plan.model.name);
      return body === null ? null : this.#decode(body as Buffer);
    });
  }

  #write(mode: "insert" | "save" | "update", records: readonly T[]): Promise<void> {
    if (records.length === 1) return this.#writeOne(mode, records[0] as T);
    const keys: string[] = [this.#keys.count];
    const args: Arg[] = [mode];
    for (const record of records) {
      const key = keyValues(record, this.#keyFields);
      const rec = this.#keys.record(key);
      keys.push(rec, this.#keys.partition(key.slice(0, this.#partitionLength)));
      let unique = 0;
      for (const ix of this.#indexes) {
        if (ix.unique) unique++;
        keys.push(this.#indexKey(ix, record));
      }
      args.push(unique, this.#indexes.length - unique, this.#body(record), this.#member(key, rec));
    }
    return this.ctx.scripts.run(WRITE_SCRIPT, keys, args).then((reply) => this.#written(reply as string[]), this.#reject);
  }

  #writeOne(mode: "insert" | "save" | "update", record: T): Promise<void> {
    const key = keyValues(record, this.#keyFields);
    const [rec, partition] = this.#keys.recordAndPartition(key, this.#partitionLength);
    const keys = [this.#keys.count, rec, partition];
    let unique = 0;
    let held = "";
    for (const ix of this.#indexes) {
      const indexKey = this.#indexKey(ix, record);
      keys.push(indexKey);
      if (ix.unique) unique++;
      held += `${ix.unique ? "u" : "i"}${indexKey}\n`;
    }
    const args = [mode, unique, this.#body(record), this.#member(key, rec), held];
    return this.ctx.scripts.run(WRITE_ONE_SCRIPT, keys, args).then((reply) => {
      const text = String(reply);
      const colon = text.indexOf(":");
      this.#written(colon < 0 ? [text] : [text.slice(0, colon), text.slice(colon + 1)]);
    }, this.#reject);
  }

  #indexKey(ix: { unique: boolean; name: string; fields: readonly FieldDescriptor[] }, record: T): string {
    const values = keyValues(record, ix.fields);
    return ix.unique ? this.#keys.unique(ix.name, values) : this.#keys.nonUnique(ix.name, values);
  }

  #body(record: T): Buffer {
    const body = this.#plan.model.codec.encode(record).finish();
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  }

  #written(reply: readonly string[]): void {
    const model = this.#plan.model.name;
    switch (reply[0]) {
      case "ok":
        return;
      case "exists":
        throw alreadyExists(model, reply[1] === "primary key" ? "primary key" : `unique index value (${reply[1]})`);
      case "missing":
        throw notFound(model, "record");
      default:
        throw internal(model, `unexpected reply from the write script: ${JSON.stringify(reply)}`);
    }
  }

  // A copy into a plain Uint8Array: bytes fields decode as views of it, and must be neither
  // Buffers (they compare unequal to Uint8Array) nor views of the client's reusable reply buffer.
  #decode(body: Buffer): T {
    return this.#plan.model.codec.decode(new Uint8Array(body));
  }

  #member(key: readonly KeyValue[], recordKey: string): string {
    return `${orderKey(this.#plan.key, key)}|${recordKey}`;
  }

  /** Rethrows a client failure as the typed error (for `.then(…, this.#reject)`). */
  readonly #reject = (error: unknown): never => {
    throw this.ctx.fail(error, this.#plan.model.name);
  };

  async #call<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw this.ctx.fail(error, this.#plan.model.name);
    }
  }
}
