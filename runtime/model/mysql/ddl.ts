// CREATE TABLE / ADD INDEX statements for a model. Column types come from the generated
// descriptor (the model plugin maps proto types, docs/models.md lists the mapping); this file
// only assembles them under the connection's table name.
import type { ModelDescriptor } from "../descriptor.js";
import { planOf } from "../plan.js";

export function quoteName(name: string): string {
  return `\`${name.replaceAll("`", "``")}\``;
}

export function indexClause(model: ModelDescriptor<unknown>, name: string): string {
  const ix = planOf(model).indexes.get(name);
  if (ix === undefined) throw new Error(`model ${model.name}: no index "${name}"`);
  const columns = ix.fields.map((f) => quoteName(f.column)).join(", ");
  return `${ix.index.unique ? "UNIQUE KEY" : "KEY"} ${quoteName(name)} (${columns})`;
}

/** A singleton's table has no key field: this column (always 1) is its primary key. */
export const SINGLETON_COLUMN = "rony_singleton";

export function createTableSql(model: ModelDescriptor<unknown>, table: string): string {
  const plan = planOf(model);
  const singleton = plan.key.length === 0;
  const lines = [
    ...model.fields.map((f) => `${quoteName(f.column)} ${f.sql}`),
    ...(singleton ? [`${quoteName(SINGLETON_COLUMN)} TINYINT NOT NULL DEFAULT 1 CHECK (${quoteName(SINGLETON_COLUMN)} = 1)`] : []),
    `PRIMARY KEY (${singleton ? quoteName(SINGLETON_COLUMN) : plan.key.map((p) => quoteName(p.field.column)).join(", ")})`,
    ...model.indexes.map((ix) => indexClause(model, ix.name)),
  ];
  return `CREATE TABLE IF NOT EXISTS ${quoteName(table)} (\n  ${lines.join(",\n  ")}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}
