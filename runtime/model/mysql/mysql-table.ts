import type { FieldPacket, QueryOptions, ResultSetHeader, RowDataPacket } from "mysql2/promise";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { ModelDescriptor } from "../descriptor.js";
import { alreadyExists, notFound } from "../errors.js";
import { indexPlan, type KeyPart } from "../plan.js";
import { pageLimit, type ModelTable, type Page, type PageRequest } from "../store.js";
import { keyValues, type KeyValue } from "../values.js";
import { isDuplicate, toModelError } from "./mysql-errors.js";
import { RowCodec, toParam } from "./row-codec.js";
import { cursorParams, SqlPlan } from "./sql-plan.js";

type Param = ReturnType<typeof toParam>;

/** A pool or one connection (inside a transaction): whatever runs prepared statements. */
export interface Executor {
  execute(options: QueryOptions | string, values: Param[]): Promise<[unknown, FieldPacket[]]>;
}

/** Where errors say they came from. */
export interface ConnectionInfo {
  readonly name: string;
  readonly address: string;
}

export class MysqlTable<T> implements ModelTable<T> {
  readonly #sql: SqlPlan<T>;
  readonly #codec: RowCodec<T>;
  readonly #keyFields;

  constructor(
    model: ModelDescriptor<T>,
    table: string,
    private readonly db: Executor,
    private readonly connection: ConnectionInfo,
  ) {
    this.#sql = new SqlPlan(model, table);
    this.#codec = new RowCodec(model);
    this.#keyFields = this.#sql.plan.key.map((p) => p.field);
  }

  get(key: readonly KeyValue[]): Promise<T | null> {
    return this.#one(this.#sql.selectByKey, key.map(toParam));
  }

  async getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    if (keys.length === 0) return [];
    const rows = await this.#rows(this.#sql.selectMany(keys.length), keys.flatMap((k) => k.map(toParam)));
    const byKey = new Map<string, T>();
    for (const row of rows) {
      const record = this.#codec.record(row);
      byKey.set(identity(keyValues(record, this.#keyFields)), record);
    }
    return keys.map((k) => byKey.get(identity(k)) ?? null);
  }

  async exists(key: readonly KeyValue[]): Promise<boolean> {
    return (await this.#rows(this.#sql.existsByKey, key.map(toParam))).length > 0;
  }

  // Not async (a hot path); a value the codec refuses still rejects.
  insert(records: readonly T[]): Promise<void> {
    let params: Param[];
    try {
      params = records.length === 1 ? this.#codec.params(records[0] as T) : records.flatMap((r) => this.#codec.params(r));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#run(this.#sql.insert(records.length), params).then(() => undefined);
  }

  async save(record: T): Promise<void> {
    if (await this.#updated(record)) return;
    try {
      await this.#raw(this.#sql.insert(1), this.#codec.params(record));
    } catch (error) {
      // Either another writer inserted the same key first (update it now) or a unique value is taken.
      if (!isDuplicate(error) || !(await this.#updated(record))) throw this.#error(error);
    }
  }

  async update(record: T): Promise<void> {
    if (!(await this.#updated(record))) throw notFound(this.#sql.plan.model.name, "record");
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    return (await this.#run(this.#sql.deleteByKey, key.map(toParam))).affectedRows > 0;
  }

  async count(partition: readonly KeyValue[] | undefined): Promise<number> {
    const rows = partition === undefined
      ? await this.#rows(this.#sql.countAll, [])
      : await this.#rows(this.#sql.countPartition, partition.map(toParam));
    return Number(rows[0]?.[0] ?? 0);
  }

  list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    return this.#page(this.#sql.plan.partition.map((f) => f.column), partition, this.#sql.plan.sort, page);
  }

  // Not async: that would add promise steps to a hot path. An unknown index still rejects.
  findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    let sql: string;
    try {
      sql = this.#sql.unique(indexPlan(this.#sql.plan, index));
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#one(sql, values.map(toParam));
  }

  async findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    const ix = indexPlan(this.#sql.plan, index);
    return this.#page(ix.fields.map((f) => f.column), values, this.#sql.plan.key, page);
  }

  async #page(where: readonly string[], values: readonly KeyValue[], order: readonly KeyPart[], page: PageRequest): Promise<Page<T>> {
    const limit = pageLimit(page);
    const cursor = page.cursor ? decodeCursor(order, page.cursor) : undefined;
    const sql = this.#sql.page(where, order, cursor !== undefined, limit + 1);
    const params = [...values.map(toParam), ...(cursor === undefined ? [] : cursorParams(cursor.map(toParam)))];
    const rows = await this.#rows(sql, params);
    const items = rows.slice(0, limit).map((row) => this.#codec.record(row));
    const last = items[items.length - 1];
    const nextCursor = rows.length > limit && last !== undefined ? encodeCursor(keyValues(last, order.map((p) => p.field))) : "";
    return { items, nextCursor };
  }

  /** UPDATE by primary key; whether a row matched (mysql2 reports found rows, not changed rows). */
  async #updated(record: T): Promise<boolean> {
    const params = [...this.#codec.params(record, this.#sql.valueFields), ...keyValues(record, this.#keyFields).map(toParam)];
    try {
      return (await this.#raw(this.#sql.update, params)).affectedRows > 0;
    } catch (error) {
      if (isDuplicate(error)) throw alreadyExists(this.#sql.plan.model.name, "unique index value");
      throw this.#error(error);
    }
  }

  // Promise chains rather than async functions: these run on every call.
  #rows(sql: string, params: Param[]): Promise<unknown[][]> {
    return this.db.execute({ sql, rowsAsArray: true }, params).then(([rows]) => rows as RowDataPacket[] as unknown as unknown[][], this.#reject);
  }

  #run(sql: string, params: Param[]): Promise<ResultSetHeader> {
    return this.#raw(sql, params).catch(this.#reject);
  }

  /** Runs a write and lets mysql2's error through, for callers that branch on it. */
  #raw(sql: string, params: Param[]): Promise<ResultSetHeader> {
    return this.db.execute(sql, params).then(([result]) => result as ResultSetHeader);
  }

  /** The first row as a record, or null, in the one promise step after the driver's. */
  #one(sql: string, params: Param[]): Promise<T | null> {
    return this.db.execute({ sql, rowsAsArray: true }, params).then(this.#first, this.#reject);
  }

  readonly #first = ([rows]: [unknown, FieldPacket[]]): T | null => {
    const row = (rows as unknown[][])[0];
    return row === undefined ? null : this.#codec.record(row);
  };

  readonly #reject = (error: unknown): never => {
    throw this.#error(error);
  };

  #error(error: unknown): unknown {
    return toModelError(error, this.#sql.plan.model.name, this.connection.name, this.connection.address);
  }
}

/** A string that is equal for equal key values, to match rows back to requested keys. */
function identity(values: readonly KeyValue[]): string {
  return values.map((v) => (v instanceof Uint8Array ? Buffer.from(v).toString("hex") : `${typeof v}:${String(v)}`)).join("\u0000");
}
