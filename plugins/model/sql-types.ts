// proto field → MySQL column type. The one place the mapping lives; docs/models.md prints it.
import type { FieldIR, ModelIR, ScalarType } from "../../compiler/index.js";
import { parseDefault, type ParsedDefault } from "./defaults.js";

// The DDL is written in what MariaDB (10.2+) and MySQL 8 (8.0.16+) both accept, the same text on
// each: no server-specific collation, and defaults of TEXT, BLOB and JSON columns as
// parenthesized expressions (a literal default there is MariaDB-only).
//
// Key and index columns need a bounded type that makes "a" and "a " different keys and orders
// strings by code point, like the memory and Redis back-ends. A VARCHAR would need a no-pad
// binary collation, which the two spell differently (utf8mb4_nopad_bin, utf8mb4_0900_bin);
// VARBINARY compares bytes on both, with no padding, and UTF-8 byte order is code point order.
// 1020 bytes hold 255 characters of any kind; runtime/model/mysql keeps the limit at 255
// characters, as a VARCHAR(255) would.
const KEY_STRING = "VARBINARY(1020)";
const KEY_BYTES = "VARBINARY(255)";
/** Column types that take only an expression as their default on MySQL. */
const EXPRESSION_DEFAULT = new Set(["LONGTEXT", "LONGBLOB", "JSON"]);

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
    zero = "JSON_ARRAY()";
  } else if (field.type.kind === "map") {
    type = "JSON";
    zero = "JSON_OBJECT()";
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
  if (key || value === undefined) return `${type} NOT NULL`;
  return `${type} NOT NULL DEFAULT ${EXPRESSION_DEFAULT.has(type) ? `(${value})` : value}`;
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
