// One model: its descriptor, key types and repository class.
import { quote, safeIdentifier, type Printable, type FieldIR, type FileSink, type GeneratedFile, type IndexIR, type ModelIR } from "../../compiler/index.js";
import { docLines, messageSymbol, runtimeSymbol } from "../common/imports.js";
import { parseDefault } from "./defaults.js";
import { printRedisEntry } from "./print-redis-entry.js";
import { createTableSql, isNullable, sqlColumn } from "./sql-types.js";
import { tsValueType, valueType } from "./value-types.js";

export function printModel(out: GeneratedFile, sink: FileSink, model: ModelIR): void {
  const name = model.message.tsName;
  const record = messageSymbol(sink, out.name, model.message, true);
  const rt = (symbol: string, typeOnly = true) => runtimeSymbol(sink, "", symbol, typeOnly);

  out.print(`// ---- model ${model.message.fullName}: connection "${model.connection.name}" (${model.connection.kind}) ----`);
  out.print();
  out.print(`/**`);
  out.print(` * How ${model.message.fullName} is stored: columns, keys, indexes and codec.`);
  if (model.connection.kind === "mysql") {
    out.print(" * migrate() creates its table (the name gets the connection's tablePrefix) as:");
    out.print(" *");
    for (const line of createTableSql(model).split("\n")) out.print(` *     ${line.replaceAll("*/", "*\\/")}`);
  }
  out.print(" */");
  out.print(`export const ${out.declare(`${name}Model`)}: `, rt("ModelDescriptor"), "<", record, "> = {");
  out.print(`  name: ${quote(model.message.fullName)},`);
  out.print(`  table: ${quote(model.table)},`);
  out.print("  codec: ", messageSymbol(sink, out.name, model.message), ",");
  out.print("  fields: [");
  for (const field of model.message.fields) out.print(`    ${fieldLiteral(model, field)},`);
  out.print("  ],");
  out.print(`  partitionKey: [${model.partitionKey.map((f) => quote(f.name)).join(", ")}],`);
  out.print(`  sortKey: [${model.sortKey.map((k) => `{ field: ${quote(k.field.name)}, descending: ${k.descending} }`).join(", ")}],`);
  out.print("  indexes: [");
  for (const ix of model.indexes) {
    out.print(`    { name: ${quote(ix.name)}, fields: [${ix.fields.map((f) => quote(f.name)).join(", ")}], unique: ${ix.unique} },`);
  }
  out.print("  ],");
  out.print(`  shardKey: ${quote(model.shardKey?.name ?? "")},`);
  if (model.subscribable) out.print("  subscribable: true,");
  printRedisEntry(out, model, (symbol) => rt(symbol, false));
  out.print("};");
  out.print();

  if (model.singleton) {
    printSingleton(out, rt, record, model);
    return;
  }

  const keyFields = [...model.partitionKey, ...model.sortKey.map((k) => k.field)];
  const pick = (fields: readonly FieldIR[]) => fields.map((f) => quote(f.tsName)).join(" | ");
  out.print(`/** The primary key of ${name} records: ${keyFields.map((f) => f.name).join(", ")}. */`);
  out.print(`export type ${out.declare(`${name}Key`)} = Pick<`, record, `, ${pick(keyFields)}>;`);
  out.print();
  out.print(`/** The partition key of ${name} records: those with equal values are listed together. */`);
  out.print(`export type ${out.declare(`${name}Partition`)} = Pick<`, record, `, ${pick(model.partitionKey)}>;`);
  out.print();

  for (const line of docLines(`Typed data access for ${model.message.fullName}; see docs/models.md.\nMissing records: get and unique finders resolve null, update rejects with NOT_FOUND.`)) out.print(line);
  out.print(`export class ${out.declare(`${name}Repository`)} extends `, rt("Repository", false), "<", record, `, ${name}Key, ${name}Partition> {`);
  out.print("  constructor(store: ", rt("ModelStore"), ") {");
  out.print(`    super(store, ${name}Model);`);
  out.print("  }");
  for (const ix of model.indexes) printFinder(out, sink, rt, record, name, ix);
  if (model.subscribable) printSubscribeFinders(out, sink, rt, record, name, model);
  out.print("}");
  out.print();
}

function printSingleton(
  out: GeneratedFile,
  rt: (symbol: string, typeOnly?: boolean) => ReturnType<typeof runtimeSymbol>,
  record: ReturnType<typeof messageSymbol>,
  model: ModelIR,
): void {
  const name = model.message.tsName;
  for (const line of docLines(`The one ${model.message.fullName} record; see docs/models.md.\nget resolves null until it is first written; update rejects with NOT_FOUND until then.`)) out.print(line);
  out.print(`export class ${out.declare(`${name}Repository`)} extends `, rt("SingletonRepository", false), "<", record, "> {");
  out.print("  constructor(store: ", rt("ModelStore"), ") {");
  out.print(`    super(store, ${name}Model);`);
  out.print("  }");
  out.print("}");
  out.print();
}

function printFinder(
  out: GeneratedFile,
  sink: FileSink,
  rt: (symbol: string, typeOnly?: boolean) => ReturnType<typeof runtimeSymbol>,
  record: ReturnType<typeof messageSymbol>,
  name: string,
  ix: IndexIR,
): void {
  // Enum parameters take the ts-proto enum type; other key fields their TypeScript value type.
  const typeOf = (f: FieldIR): Printable => (f.type.kind === "enum" ? messageSymbol(sink, out.name, f.type.ref, true) : tsValueType(f));
  const params: Printable[] = ix.fields.flatMap((f, i) => [i > 0 ? ", " : "", `${safeIdentifier(f.tsName)}: `, typeOf(f)]);
  const names = ix.fields.map((f) => safeIdentifier(f.tsName));
  const args = `[${names.join(", ")}]`;
  // The page request must not take the name of an indexed field ("page", "page$" …).
  let pageParam = "page";
  while (names.includes(pageParam)) pageParam += "$";
  const by = ix.fields.map((f) => f.name).join(", ");
  out.print();
  if (ix.unique) {
    out.print(`  /** The ${name} with this ${by} (unique index ${ix.name}), or null. */`);
    out.print(`  ${ix.finder}(`, params, "): Promise<", record, " | null> {");
    out.print(`    return this.findUnique(${quote(ix.name)}, ${args});`);
  } else {
    out.print(`  /** ${name} records with this ${by} (index ${ix.name}), in primary key order, a page at a time. */`);
    out.print(`  ${ix.finder}(`, params, `, ${pageParam}?: `, rt("PageRequest"), "): Promise<", rt("Page"), "<", record, ">> {");
    out.print(`    return this.findMany(${quote(ix.name)}, ${args}, ${pageParam});`);
  }
  out.print("  }");
}

/** subscribe(key), subscribePartition(partition) and one per index: live queries (docs/streams.md). */
function printSubscribeFinders(
  out: GeneratedFile,
  sink: FileSink,
  rt: (symbol: string, typeOnly?: boolean) => ReturnType<typeof runtimeSymbol>,
  record: ReturnType<typeof messageSymbol>,
  name: string,
  model: ModelIR,
): void {
  const update = (): Printable[] => ["AsyncIterable<", rt("Update"), "<", record, ">>"];
  out.print();
  out.print(`  /** The ${name} with this key now (null when missing), then each change to it with the value before; only changes. */`);
  out.print(`  subscribe(key: ${name}Key): `, update(), " {");
  out.print("    return this.subscribeKey(key);");
  out.print("  }");
  out.print();
  out.print(`  /** The ${name} records of this partition now, then each one that appears, changes or goes, with the value before. */`);
  out.print(`  subscribePartition(partition: ${name}Partition): `, update(), " {");
  out.print("    return this.subscribePartitionOf(partition);");
  out.print("  }");
  const typeOf = (f: FieldIR): Printable => (f.type.kind === "enum" ? messageSymbol(sink, out.name, f.type.ref, true) : tsValueType(f));
  for (const ix of model.indexes) {
    const params: Printable[] = ix.fields.flatMap((f, i) => [i > 0 ? ", " : "", `${safeIdentifier(f.tsName)}: `, typeOf(f)]);
    const names = ix.fields.map((f) => safeIdentifier(f.tsName));
    const method = ix.finder.startsWith("find") ? `subscribe${ix.finder.slice(4)}` : `subscribe${ix.finder.charAt(0).toUpperCase()}${ix.finder.slice(1)}`;
    out.print();
    out.print(`  /** ${name} records with this ${ix.fields.map((f) => f.name).join(", ")} (index ${ix.name}) now, then each change, with the value before. */`);
    out.print(`  ${method}(`, params, "): ", update(), " {");
    out.print(`    return this.subscribeIndex(${quote(ix.name)}, [${names.join(", ")}]);`);
    out.print("  }");
  }
}

function fieldLiteral(model: ModelIR, field: FieldIR): string {
  const parsed = parseDefault(field);
  const parts = [
    `name: ${quote(field.name)}`,
    `prop: ${quote(field.tsName)}`,
    `json: ${quote(field.jsonName)}`,
    `column: ${quote(field.column)}`,
    `type: ${quote(valueType(field))}`,
    `nullable: ${isNullable(field)}`,
    `sql: ${quote(sqlColumn(model, field, parsed))}`,
    ...(parsed === undefined ? [] : [`defaultValue: ${parsed.literal}`]),
  ];
  return `{ ${parts.join(", ")} }`;
}
