// A model on Redis: reads here, writes in one-node-writes.ts (one server) or sharded-writes.ts
// (keys spread over nodes). The key layout is the same for both (keys.ts).
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { ModelDescriptor } from "../descriptor.js";
import { orderKey } from "../order-key.js";
import type { KeyPart } from "../plan.js";
import { pageLimit, type ModelTable, type Page, type PageRequest } from "../store.js";
import { keyValues, type KeyValue } from "../values.js";
import { claimOwner, joinParts } from "./keys.js";
import { ModelLayout } from "./layout.js";
import { OneNodeWrites } from "./one-node-writes.js";
import type { Command, RedisTarget } from "./redis-target.js";
import { ShardedWrites } from "./sharded-writes.js";
import type { Mode, Writes } from "./writes.js";

export interface RedisTableOptions {
  readonly keyPrefix: string;
  /** How old a unique claim whose owner does not hold it must be to be taken over (sharded writes). */
  readonly claimGraceMs: number;
}

/** Keys per pipeline when counting partitions or reading pages of records. */
const CHUNK = 500;

export class RedisTable<T> implements ModelTable<T> {
  readonly #layout: ModelLayout<T>;
  readonly #writes: Writes;

  constructor(
    model: ModelDescriptor<T>,
    private readonly target: RedisTarget,
    options: RedisTableOptions,
  ) {
    this.#layout = new ModelLayout(model, options.keyPrefix);
    this.#writes = target.oneNode ? new OneNodeWrites(this.#layout, target) : new ShardedWrites(this.#layout, target, options.claimGraceMs);
  }

  get(key: readonly KeyValue[]): Promise<T | null> {
    return this.target.callBuffer("hget", this.#layout.record(key), "d").then(this.#record, this.#reject);
  }

  getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    return this.#records(keys.map((k) => this.#layout.record(k)));
  }

  async exists(key: readonly KeyValue[]): Promise<boolean> {
    return (await this.#call(() => this.target.call("exists", this.#layout.record(key)))) === 1;
  }

  insert(records: readonly T[]): Promise<void> {
    if (records.length === 1) return this.#write("insert", records[0] as T);
    return this.#call(() => this.#writes.insertMany(records.map((r) => this.#layout.entry(r))));
  }

  save(record: T): Promise<void> {
    return this.#write("save", record);
  }

  update(record: T): Promise<void> {
    return this.#write("update", record);
  }

  delete(key: readonly KeyValue[]): Promise<boolean> {
    return this.#call(() => this.#writes.delete(key));
  }

  /**
   * A partition's count is its zset's size. The whole model's is gathered from every node: SCAN
   * for the model's partition zsets, then ZCARD each — O(keys on the nodes), see docs/models.md.
   */
  async count(partition: readonly KeyValue[] | undefined): Promise<number> {
    if (partition !== undefined) return Number(await this.#call(() => this.target.call("zcard", this.#layout.keys.partition(partition))));
    return this.#call(async () => {
      let total = 0;
      let chunk: string[] = [];
      const flush = async () => {
        const replies = await this.target.batch(chunk.map((key) => ({ args: ["zcard", key] })));
        for (const [error, n] of replies) {
          if (error !== null) throw error;
          total += Number(n);
        }
        chunk = [];
      };
      for await (const key of this.target.scan(this.#layout.keys.partitions)) {
        chunk.push(key);
        if (chunk.length === CHUNK) await flush();
      }
      if (chunk.length > 0) await flush();
      return total;
    });
  }

  async list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const plan = this.#layout.plan;
    const after = page.cursor ? [...partition, ...decodeCursor(plan.sort, page.cursor)] : undefined;
    const tag = this.#layout.keys.tag(partition);
    return this.#page([{ zset: this.#layout.keys.partitionOf(tag, joinParts(partition)), tag }], after, plan.sort, page);
  }

  // Promise steps chained by hand, not async/await: a unique finder is a hot path.
  findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    const claim = this.#layout.claimKey(index, values);
    return this.target.call("get", claim).then((value) => {
      if (value === null) return null;
      return this.target.callBuffer("hget", claimOwner(value as string), "d").then((body) => {
        if (body === null) return null;
        const record = this.#decode(body as Buffer);
        // On shards, a claim left by a crashed or unfinished write may name a record that does not
        // hold the value; on one server every write is one script, so claims are always true.
        return this.target.oneNode || this.#layout.holds(record, index, values) ? record : null;
      }, this.#reject);
    }, this.#reject);
  }

  async findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const where = this.#layout.finder(index, values);
    const after = page.cursor ? decodeCursor(this.#layout.plan.key, page.cursor) : undefined;
    if ("zset" in where) return this.#page([where], after, this.#layout.plan.key, page);
    // Scatter over the shards the directory lists: one zset per shard, merged in key order.
    const tags = (await this.#call(() => this.target.call("smembers", where.directory))) as string[];
    return this.#page(tags.map((tag) => ({ zset: where.zsetOf(tag), tag })), after, this.#layout.plan.key, page);
  }

  /** A page merged from zsets (each with its tag): members after the cursor's order key, then their records in one pipeline. */
  async #page(zsets: readonly { zset: string; tag: string }[], after: readonly KeyValue[] | undefined, cursorParts: readonly KeyPart[], page: PageRequest): Promise<Page<T>> {
    const limit = pageLimit(page);
    if (zsets.length === 0) return { items: [], nextCursor: "" };
    // "}" sorts after "|", so "(<order key>}" starts right after every member of that key.
    const min = after === undefined ? "-" : `(${orderKey(this.#layout.plan.key, after)}}`;
    const range = (zset: string): Command => ({ args: ["zrangebylex", zset, min, "+", "LIMIT", 0, limit + 1] });
    let members: [member: string, tag: string][];
    if (zsets.length === 1) {
      const { zset, tag } = zsets[0] as { zset: string; tag: string };
      members = ((await this.#call(() => this.target.call(...range(zset).args))) as string[]).map((m) => [m, tag]);
    } else {
      const replies = await this.#call(() => this.target.batch(zsets.map((z) => range(z.zset))));
      members = replies.flatMap(([error, reply], i) => {
        if (error !== null) throw this.target.fail(error, this.#layout.model.name);
        const tag = (zsets[i] as { tag: string }).tag;
        return (reply as string[]).map((m): [string, string] => [m, tag]);
      });
      // Order keys are prefix-free hex, so comparing members compares keys.
      members.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    }
    const keys = members.slice(0, limit).map(([m, tag]) => this.#layout.recordOfMember(tag, m));
    const items = (await this.#records(keys)).filter((r): r is T => r !== null);
    const last = items[items.length - 1];
    const nextCursor = members.length > limit && last !== undefined ? encodeCursor(keyValues(last, cursorParts.map((p) => p.field))) : "";
    return { items, nextCursor };
  }

  async #records(recordKeys: readonly string[]): Promise<(T | null)[]> {
    if (recordKeys.length === 0) return [];
    if (recordKeys.length === 1) {
      const body = await this.#call(() => this.target.callBuffer("hget", recordKeys[0] as string, "d"));
      return [body === null ? null : this.#decode(body as Buffer)];
    }
    const replies = await this.#call(() => this.target.batch(recordKeys.map((k) => ({ args: ["hget", k, "d"], buffer: true }))));
    return replies.map(([error, body]) => {
      if (error !== null) throw this.target.fail(error, this.#layout.model.name);
      return body === null ? null : this.#decode(body as Buffer);
    });
  }

  #write(mode: Mode, record: T): Promise<void> {
    return this.#writes.write(mode, this.#layout.entry(record));
  }

  // A copy into a plain Uint8Array: bytes fields decode as views of it, and must be neither
  // Buffers (they compare unequal to Uint8Array) nor views of the client's reusable reply buffer.
  #decode(body: Buffer): T {
    return this.#layout.model.codec.decode(new Uint8Array(body));
  }

  /** A record hash's `d` field as the record, or null when there is none (for `.then`). */
  readonly #record = (body: unknown): T | null => (body === null ? null : this.#decode(body as Buffer));

  /** Rethrows a client failure as the typed error (for `.then(…, this.#reject)`). */
  readonly #reject = (error: unknown): never => {
    throw this.target.fail(error, this.#layout.model.name);
  };

  async #call<R>(run: () => Promise<R>): Promise<R> {
    try {
      return await run();
    } catch (error) {
      throw this.target.fail(error, this.#layout.model.name);
    }
  }
}
