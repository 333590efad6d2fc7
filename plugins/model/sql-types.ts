// proto field → MySQL column type. The one place the mapping lives; docs/models.md prints it.
import type { FieldIR, ModelIR, ScalarType } from "../../compiler/index.js";
import { parseDefault, type ParsedDefault } from "./defaults.js";

// Key and index columns need a bounded type; binary collation without PAD SPACE makes "a" and
// "a " different keys and orders strings by code point, like the memory and Redis back-ends.
const KEY_STRING = "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin";
const KEY_BYTES = "VARBINARY(255)";

const scalarColumns: Record<ScalarType, string> = {
  double: "DOUBLE",
  // A float is a JS number once decoded; DOUBLE keeps that number exactly.
  float: "DOUBLE",
  int32: "INT",
  sint32: "INT",
  sfixed32: "INT",
  uint32: "INT UNSIGNED",
  fixed32: "INT UNSIGNED",
  int64: "BIGINT",
  sint64: "BIGINT",
  sfixed64: "BIGINT",
  uint64: "BIGINT UNSIGNED",
  fixed64: "BIGINT UNSIGNED",
  bool: "TINYINT(1)",
  string: "LONGTEXT",
  bytes: "LONGBLOB",
};

export function isKeyColumn(model: ModelIR, field: FieldIR): boolean {
  return model.partitionKey.includes(field) ||
    model.sortKey.some((k) => k.field === field) ||
    model.indexes.some((ix) => ix.fields.includes(field));
}

export function isNullable(field: FieldIR): boolean {
  return !field.repeated && (field.optional || field.oneof !== undefined || field.type.kind === "message");
}

export function sqlColumn(model: ModelIR, field: FieldIR, fallback: ParsedDefault | undefined): string {
  const key = isKeyColumn(model, field);
  let type: string;
  let zero: string | undefined;
  if (field.repeated) {
    type = "JSON";
    zero = "'[]'";
  } else if (field.type.kind === "map") {
    type = "JSON";
    zero = "'{}'";
  } else if (field.type.kind === "message") {
    type = "JSON";
  } else if (field.type.kind === "enum") {
    type = "INT";
    zero = "0";
  } else {
    const scalar = field.type.scalar;
    type = key && scalar === "string" ? KEY_STRING : key && scalar === "bytes" ? KEY_BYTES : scalarColumns[scalar];
    zero = scalar === "string" || scalar === "bytes" ? "''" : "0";
  }
  if (isNullable(field)) return `${type} NULL`;
  const value = fallback === undefined ? zero : sqlLiteral(fallback.value);
  return key || value === undefined ? `${type} NOT NULL` : `${type} NOT NULL DEFAULT ${value}`;
}

function sqlLiteral(value: ParsedDefault["value"]): string {
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

const name = (n: string) => `\`${n.replaceAll("`", "``")}\``;

/**
 * The CREATE TABLE statement, for the generated doc comment. runtime/model/mysql/ddl.ts builds
 * the statement migrate() runs from the same descriptor; test/model checks that they agree.
 */
export function createTableSql(model: ModelIR): string {
  const key = [...model.partitionKey, ...model.sortKey.map((k) => k.field)];
  // A singleton's primary key is a column that is always 1 (runtime/model/mysql/ddl.ts names it too).
  const singleton = "rony_singleton";
  const lines = [
    ...model.message.fields.map((f) => `${name(f.column)} ${sqlColumn(model, f, parseDefault(f))}`),
    ...(model.singleton ? [`${name(singleton)} TINYINT NOT NULL DEFAULT 1 CHECK (${name(singleton)} = 1)`] : []),
    `PRIMARY KEY (${model.singleton ? name(singleton) : key.map((f) => name(f.column)).join(", ")})`,
    ...model.indexes.map((ix) => `${ix.unique ? "UNIQUE KEY" : "KEY"} ${name(ix.name)} (${ix.fields.map((f) => name(f.column)).join(", ")})`),
  ];
  return `CREATE TABLE IF NOT EXISTS ${name(model.table)} (\n  ${lines.join(",\n  ")}\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;
}
