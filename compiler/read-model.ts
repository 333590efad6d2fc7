// (rony.model) → ModelIR, resolving key, index and connection names against the message.
import type { DescMessage } from "@bufbuild/protobuf";
import { model as modelExt, type ModelOptions } from "../generated/rony/options_pb.js";
import type { ConnectionIR, FieldIR, IndexIR, KeyPartIR, MessageIR, ModelIR, SourceRef } from "./ir.js";
import { pascalCase, snakeCase } from "./naming.js";
import { OPTIONS_FIELD, sourceOf } from "./source-info.js";

interface Reporter {
  report(source: SourceRef, element: string, option: string, message: string): void;
}

// Field numbers inside ModelOptions, for pointing at the offending line.
const MODEL = { connection: 1, table: 2, primaryKey: 3, indexes: 4, shardKey: 5 } as const;

export function readModel(
  reporter: Reporter,
  message: MessageIR,
  desc: DescMessage,
  opts: ModelOptions,
  visibleConnections: readonly ConnectionIR[],
): ModelIR | undefined {
  const element = `message ${message.fullName}`;
  const at = (...path: number[]) => sourceOf(desc, [OPTIONS_FIELD.message, modelExt.number, ...path]);
  let ok = true;
  const fail = (source: SourceRef, option: string, text: string) => {
    reporter.report(source, element, option, text);
    ok = false;
  };
  const fieldNamed = (name: string, option: string, source: SourceRef): FieldIR | undefined => {
    const field = message.fields.find((f) => f.name === name);
    if (field === undefined) {
      const known = message.fields.map((f) => f.name).join(", ");
      fail(source, option, `"${name}" is not a field of ${message.fullName} (fields: ${known || "none"})`);
    }
    return field;
  };
  const keyField = (name: string, option: string, source: SourceRef): FieldIR | undefined => {
    const field = fieldNamed(name, option, source);
    if (field !== undefined && (field.repeated || field.type.kind === "message" || field.type.kind === "map")) {
      fail(source, option, `"${name}" cannot be a key: keys are singular scalar or enum fields`);
      return undefined;
    }
    return field;
  };

  const connection = resolveConnection(opts.connection, visibleConnections, (text) =>
    fail(at(MODEL.connection), "(rony.model).connection", text),
  );

  const table = opts.table || snakeCase(desc.name);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(table)) fail(at(MODEL.table), "(rony.model).table", `"${table}" must be an identifier`);

  const pk = opts.primaryKey;
  const partitionKey: FieldIR[] = [];
  const sortKey: KeyPartIR[] = [];
  if (opts.singleton) {
    if (pk !== undefined && (pk.partitionKey.length > 0 || pk.sortKey.length > 0)) {
      fail(at(MODEL.primaryKey), "(rony.model).primary_key", "a singleton model has no primary key");
    }
  } else if (pk === undefined || pk.partitionKey.length === 0) {
    fail(sourceOf(desc, [OPTIONS_FIELD.message, modelExt.number]), "(rony.model).primary_key",
      `is required: set primary_key: { partition_key: ["<field>"] } (or singleton: true)`);
  } else {
    for (const name of pk.partitionKey) {
      const f = keyField(name, "(rony.model).primary_key.partition_key", at(MODEL.primaryKey));
      if (f !== undefined) partitionKey.push(f);
    }
    for (const raw of pk.sortKey) {
      const descending = raw.startsWith("-");
      const f = keyField(descending ? raw.slice(1) : raw, "(rony.model).primary_key.sort_key", at(MODEL.primaryKey));
      if (f !== undefined) sortKey.push({ field: f, descending });
    }
    const names = [...partitionKey.map((f) => f.name), ...sortKey.map((k) => k.field.name)];
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) fail(at(MODEL.primaryKey), "(rony.model).primary_key", `field "${dup}" appears twice in the key`);
  }

  const indexes: IndexIR[] = [];
  opts.indexes.forEach((index, i) => {
    if (index.fields.length === 0) {
      fail(at(MODEL.indexes, i), "(rony.model).indexes.fields", "an index needs at least one field");
      return;
    }
    const fields = index.fields.map((n) => keyField(n, "(rony.model).indexes.fields", at(MODEL.indexes, i)));
    if (fields.some((f) => f === undefined)) return;
    indexes.push(makeIndex(table, fields as FieldIR[], index.unique, index.name, index.finder));
  });
  for (const field of message.fields.filter((f) => f.indexed)) {
    if (field.repeated || field.type.kind === "message" || field.type.kind === "map") {
      fail(field.source, "(rony.field).index", `"${field.name}" cannot be indexed: only singular scalar or enum fields can`);
      continue;
    }
    if (!indexes.some((ix) => ix.fields.length === 1 && ix.fields[0] === field)) indexes.push(makeIndex(table, [field], false, "", ""));
  }
  for (const [i, ix] of indexes.entries()) {
    const clash = indexes.findIndex((other) => other.finder === ix.finder || other.name === ix.name);
    if (clash < i) {
      const other = indexes[clash]!;
      const shared = other.name === ix.name ? `the name ${ix.name}` : `the finder ${ix.finder}`;
      const fieldsOf = (index: typeof ix) => index.fields.map((f) => f.name).join(", ");
      fail(at(MODEL.indexes), "(rony.model).indexes", `the indexes on (${fieldsOf(other)}) and (${fieldsOf(ix)}) share ${shared}; give one another name or finder`);
    }
  }

  const shardKey = opts.shardKey === ""
    ? partitionKey[0]
    : keyField(opts.shardKey, "(rony.model).shard_key", at(MODEL.shardKey));
  if (shardKey !== undefined && opts.shardKey !== "" && partitionKey.length > 0 && !partitionKey.includes(shardKey)) {
    fail(at(MODEL.shardKey), "(rony.model).shard_key", `"${shardKey.name}" must be one of the partition key fields, or a record and its partition would span shards`);
  }

  if (!ok || connection === undefined) return undefined;
  return {
    message,
    connection,
    table,
    partitionKey,
    sortKey,
    indexes,
    shardKey,
    subscribable: opts.subscribable,
    singleton: opts.singleton,
    source: sourceOf(desc),
  };
}

function makeIndex(table: string, fields: FieldIR[], unique: boolean, name: string, finder: string): IndexIR {
  return {
    name: name || `${table}_${fields.map((f) => f.name).join("_")}`,
    fields,
    unique,
    finder: finder || `findBy${fields.map((f) => pascalCase(f.name)).join("")}`,
  };
}

function resolveConnection(
  name: string,
  visible: readonly ConnectionIR[],
  fail: (text: string) => void,
): ConnectionIR | undefined {
  const known = visible.map((c) => c.name);
  if (name === "") {
    if (visible.length === 1) return visible[0];
    fail(visible.length === 0
      ? `is required, and no connection is declared: add option (rony.connection) = { name: "main", kind: "memory" };`
      : `is required when several connections are visible (${known.join(", ")})`);
    return undefined;
  }
  const found = visible.find((c) => c.name === name);
  if (found === undefined) {
    fail(`"${name}" is not a declared connection (declared: ${known.join(", ") || "none"}); declare it with option (rony.connection)`);
  }
  return found;
}
