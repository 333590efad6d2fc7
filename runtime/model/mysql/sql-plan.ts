// The SQL text of every statement a model's table runs, built once per (model, table name).
// Statements run as prepared statements (mysql2 execute), so this text is parsed once per
// pooled connection.
import type { ModelDescriptor } from "../descriptor.js";
import { planOf, type IndexPlan, type KeyPart, type ModelPlan } from "../plan.js";
import { quoteName, SINGLETON_COLUMN } from "./ddl.js";

export class SqlPlan<T> {
  readonly plan: ModelPlan<T>;
  readonly table: string;
  readonly columns: string;
  readonly selectByKey: string;
  readonly existsByKey: string;
  readonly update: string;
  readonly deleteByKey: string;
  readonly countAll: string;
  readonly countPartition: string;
  /** Non-key fields in column order: the SET list of `update`. */
  readonly valueFields;
  readonly #keyWhere: string;
  readonly #cache = new Map<string, string>();
  readonly #unique = new Map<IndexPlan, string>();
  readonly #insertOne: string | undefined;

  constructor(model: ModelDescriptor<T>, table: string) {
    this.plan = planOf(model);
    this.table = quoteName(table);
    this.columns = model.fields.map((f) => quoteName(f.column)).join(", ");
    this.#keyWhere = equalities(this.plan.key.map((p) => p.field.column)) || "1 = 1";
    const keyNames = new Set(this.plan.key.map((p) => p.field.name));
    this.valueFields = model.fields.filter((f) => !keyNames.has(f.name));
    const first = this.plan.key[0]?.field.column ?? SINGLETON_COLUMN;
    const set = this.valueFields.length > 0
      ? this.valueFields.map((f) => `${quoteName(f.column)} = ?`).join(", ")
      : `${quoteName(first)} = ${quoteName(first)}`;
    this.selectByKey = `SELECT ${this.columns} FROM ${this.table} WHERE ${this.#keyWhere}`;
    this.existsByKey = `SELECT 1 FROM ${this.table} WHERE ${this.#keyWhere} LIMIT 1`;
    this.update = `UPDATE ${this.table} SET ${set} WHERE ${this.#keyWhere}`;
    this.deleteByKey = `DELETE FROM ${this.table} WHERE ${this.#keyWhere}`;
    this.countAll = `SELECT COUNT(*) FROM ${this.table}`;
    this.countPartition = `SELECT COUNT(*) FROM ${this.table} WHERE ${equalities(this.plan.partition.map((f) => f.column)) || "1 = 1"}`;
    this.#insertOne = this.insert(1);
  }

  insert(rows: number): string {
    // One row is every insert() call of a repository: no cache key to build and hash.
    if (rows === 1 && this.#insertOne !== undefined) return this.#insertOne;
    return this.#cached(`insert:${rows}`, () => {
      const row = `(${this.plan.model.fields.map(() => "?").join(", ")})`;
      return `INSERT INTO ${this.table} (${this.columns}) VALUES ${Array.from({ length: rows }, () => row).join(", ")}`;
    });
  }

  /** The row holding these unique index values. */
  unique(ix: IndexPlan): string {
    let sql = this.#unique.get(ix);
    if (sql === undefined) {
      sql = this.page(ix.fields.map((f) => f.column), [], false, 1);
      this.#unique.set(ix, sql);
    }
    return sql;
  }

  selectMany(keys: number): string {
    return this.#cached(`many:${keys}`, () => {
      const one = `(${this.#keyWhere})`;
      return `SELECT ${this.columns} FROM ${this.table} WHERE ${Array.from({ length: keys }, () => one).join(" OR ")}`;
    });
  }

  /** Rows where `where` columns equal the given values, after a cursor over `order`, `limit` of them. */
  page(where: readonly string[], order: readonly KeyPart[], afterCursor: boolean, limit: number): string {
    return this.#cached(`page:${where.join(",")}:${afterCursor}:${limit}:${order.map((p) => p.field.name).join(",")}`, () => {
      const conditions = [equalities(where), ...(afterCursor ? [after(order)] : [])].filter((c) => c !== "");
      const orderBy = order.map((p) => `${quoteName(p.field.column)}${p.descending ? " DESC" : ""}`).join(", ");
      return `SELECT ${this.columns} FROM ${this.table}` +
        (conditions.length > 0 ? ` WHERE ${conditions.join(" AND ")}` : "") +
        (orderBy !== "" ? ` ORDER BY ${orderBy}` : "") +
        ` LIMIT ${limit}`;
    });
  }

  #cached(key: string, build: () => string): string {
    let sql = this.#cache.get(key);
    if (sql === undefined) this.#cache.set(key, (sql = build()));
    return sql;
  }
}

function equalities(columns: readonly string[]): string {
  return columns.map((c) => `${quoteName(c)} = ?`).join(" AND ");
}

/** `(a > ?) OR (a = ? AND b < ?) …`: rows after the cursor in `order`; see cursorParams for the values. */
function after(order: readonly KeyPart[]): string {
  const terms = order.map((p, i) => {
    const equal = order.slice(0, i).map((q) => `${quoteName(q.field.column)} = ?`);
    return `(${[...equal, `${quoteName(p.field.column)} ${p.descending ? "<" : ">"} ?`].join(" AND ")})`;
  });
  return `(${terms.join(" OR ")})`;
}

/** The parameters of `after(order)` for cursor values `values`. */
export function cursorParams<V>(values: readonly V[]): V[] {
  return values.flatMap((_, i) => values.slice(0, i + 1));
}
