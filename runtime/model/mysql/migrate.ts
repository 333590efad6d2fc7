// The idempotent migration: create missing tables, then add missing columns and indexes to
// tables that exist. It never drops or changes what is there; docs/models.md says why.
import type { ModelDescriptor } from "../descriptor.js";
import { createTableSql, indexClause, quoteName } from "./ddl.js";

export interface SqlRunner {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

const ER_DUP_KEYNAME = 1061;
const ER_DUP_FIELDNAME = 1060;

/** What migrate did, for logs and tests. */
export interface MigrationStep {
  readonly table: string;
  readonly action: "create table" | "add column" | "add index";
  readonly name: string;
}

export async function migrateModels(db: SqlRunner, models: readonly ModelDescriptor<unknown>[], prefix: string): Promise<MigrationStep[]> {
  const steps: MigrationStep[] = [];
  for (const model of models) {
    const table = prefix + model.table;
    const [found] = await db.query(
      "SELECT COUNT(*) AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", [table]);
    if (Number((found as { n: number }[])[0]?.n ?? 0) === 0) {
      await db.query(createTableSql(model, table));
      steps.push({ table, action: "create table", name: table });
      continue;
    }
    const [columnRows] = await db.query(
      "SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", [table]);
    const columns = new Set((columnRows as { name: string }[]).map((r) => r.name.toLowerCase()));
    for (const f of model.fields.filter((x) => !columns.has(x.column.toLowerCase()))) {
      await tolerate(ER_DUP_FIELDNAME, db.query(`ALTER TABLE ${quoteName(table)} ADD COLUMN ${quoteName(f.column)} ${f.sql}`));
      steps.push({ table, action: "add column", name: f.column });
    }
    const [indexRows] = await db.query(
      "SELECT DISTINCT INDEX_NAME AS name FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?", [table]);
    const indexes = new Set((indexRows as { name: string }[]).map((r) => r.name.toLowerCase()));
    for (const ix of model.indexes.filter((x) => !indexes.has(x.name.toLowerCase()))) {
      await tolerate(ER_DUP_KEYNAME, db.query(`ALTER TABLE ${quoteName(table)} ADD ${indexClause(model, ix.name)}`));
      steps.push({ table, action: "add index", name: ix.name });
    }
  }
  return steps;
}

// Two processes migrating at once: the loser's "already there" is success.
async function tolerate(errno: number, run: Promise<unknown>): Promise<void> {
  try {
    await run;
  } catch (error) {
    if ((error as { errno?: number }).errno !== errno) throw error;
  }
}
