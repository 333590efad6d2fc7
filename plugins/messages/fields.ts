// Field-level code of a message module: property types and the statements of encode, decode,
// fromJSON, toJSON and fromPartial for one field, whatever its cardinality.
import type { FieldDefIR, Printable, ScalarType } from "../../compiler/index.js";
import { key, ownProp, prop, type ModuleContext } from "./module-context.js";
import { int64Scalars, packable, scalarFromJson, scalarHelpers, scalarTsType, scalarWrite, tag, wireType } from "./scalars.js";
import { emptyMessageValue, readValue, valueDefault, valueIsSet, valueFromJson, valueFromPartial, valueToJson, valueType, writeValue } from "./values.js";

/** Message-typed fields always have the key (value or undefined); other optional fields may omit it. */
function mayOmit(f: FieldDefIR): boolean {
  return f.cardinality === "optional" && (f.value.kind !== "message" || f.oneof !== undefined);
}

function mapKeyType(k: ScalarType): string {
  return scalarTsType(k) === "number" ? "number" : "string";
}

export function propertyLine(ctx: ModuleContext, f: FieldDefIR): Printable[] {
  const t = valueType(ctx, f.value);
  switch (f.cardinality) {
    case "single":
    case "required":
      return [`  ${key(f.tsName)}: `, t, ";"];
    case "optional":
      return [`  ${key(f.tsName)}${mayOmit(f) ? "?" : ""}: `, t, " | undefined;"];
    case "repeated":
      return [`  ${key(f.tsName)}: `, t, "[];"];
    case "map":
      return [`  ${key(f.tsName)}: { [key: ${mapKeyType(f.mapKey as ScalarType)}]: `, t, " };"];
  }
}

export function initialValue(f: FieldDefIR): string {
  switch (f.cardinality) {
    case "single":
    case "required":
      return valueDefault(f.value);
    case "optional":
      return "undefined";
    case "repeated":
      return "[]";
    case "map":
      return "{}";
  }
}

function isPackable(f: FieldDefIR): boolean {
  return f.value.kind === "enum" || (f.value.kind === "scalar" && packable(f.value.scalar));
}

/** The bare writer call for a packed element (no tag). */
function packedWrite(ctx: ModuleContext, f: FieldDefIR, v: string): string {
  if (f.value.kind === "enum") return `writer.int32(${v});`;
  const s = (f.value as { scalar: ScalarType }).scalar;
  if (int64Scalars.has(s)) ctx.use(s === "uint64" || s === "fixed64" ? "checkUint64" : "checkInt64");
  return `writer.${scalarWrite(s, v)};`;
}

export function encodeLines(ctx: ModuleContext, f: FieldDefIR): Printable[][] {
  const v = `message.${f.tsName}`;
  const write = (expr: string) => writeValue(ctx, f.value, f.number, expr);
  switch (f.cardinality) {
    case "required":
      return [["    ", ...write(v)]];
    case "single": {
      const set = valueIsSet(f.value, v);
      return [[`    if (${set}) `, ...write(v)]];
    }
    case "optional":
      return [[`    if (${v} !== undefined) `, ...write(v)]];
    case "repeated":
      if (f.packed && isPackable(f)) {
        return [
          [`    if (${v}.length !== 0) {`],
          [`      writer.uint32(${tag(f.number, 2)}).fork();`],
          [`      for (const v of ${v}) ${packedWrite(ctx, f, "v")}`],
          ["      writer.join();"],
          ["    }"],
        ];
      }
      return [[`    for (const v of ${v}) `, ...write("v")]];
    case "map": {
      const k = f.mapKey as ScalarType;
      return [
        [`    for (const [k, v] of globalThis.Object.entries(${v})) {`],
        [`      writer.uint32(${tag(f.number, 2)}).fork();`],
        // Entries skip default keys and values, as ts-proto's do: the same map, the same bytes.
        k === "string" ? [`      if (k !== "") `, ...writeValue(ctx, { kind: "scalar", scalar: k }, 1, "k")] : [`      if (k !== "0" && k !== "false") `, ...writeValue(ctx, { kind: "scalar", scalar: k }, 1, mapKeyFromString(k, "k"))],
        f.value.kind === "message" ? ["      ", ...writeValue(ctx, f.value, 2, "v")] : [`      if (${valueIsSet(f.value, "v")}) `, ...writeValue(ctx, f.value, 2, "v")],
        ["      writer.join();"],
        ["    }"],
      ];
    }
  }
}

function mapKeyFromString(k: ScalarType, s: string): string {
  if (int64Scalars.has(k)) return `globalThis.BigInt(${s})`;
  if (k === "bool") return `${s} === "true"`;
  return scalarTsType(k) === "number" ? `globalThis.Number(${s})` : s;
}

export function decodeCases(ctx: ModuleContext, f: FieldDefIR): Printable[][] {
  const v = `message.${f.tsName}`;
  const read = readValue(ctx, f.value);
  const wire = f.value.kind === "scalar" ? wireType(f.value.scalar) : f.value.kind === "enum" ? 0 : f.value.delimited ? 3 : 2;
  switch (f.cardinality) {
    case "single":
    case "required":
    case "optional":
      return [[`        case ${tag(f.number, wire)}:`], [`          ${v} = `, read, ";"], ["          continue;"]];
    case "repeated": {
      const cases: Printable[][] = [[`        case ${tag(f.number, wire)}:`], [`          ${v}.push(`, read, ");"], ["          continue;"]];
      if (isPackable(f)) {
        cases.push(
          [`        case ${tag(f.number, 2)}: {`],
          ["          const runEnd = reader.uint32() + reader.pos;"],
          [`          while (reader.pos < runEnd) ${v}.push(`, read, ");"],
          ["          continue;"],
          ["        }"],
        );
      }
      return cases;
    }
    case "map": {
      const k = f.mapKey as ScalarType;
      const keyExpr = int64Scalars.has(k) || k === "bool" ? "key.toString()" : "key";
      // An entry without a value holds the type's default (an empty message, the epoch, 0…).
      const valueExpr: Printable = f.value.kind === "message" && f.value.mapping !== "value" ? ["value ?? ", emptyMessageValue(ctx, f.value)] : "value";
      const store: Printable[] = scalarTsType(k) === "number" || k === "bool" || int64Scalars.has(k)
        ? [`          ${v}[${keyExpr}] = `, valueExpr, ";"]
        : [`          setEntry(${v}, ${keyExpr}, `, valueExpr, ");"];
      if (scalarTsType(k) === "string") ctx.use("setEntry");
      return [
        [`        case ${tag(f.number, 2)}: {`],
        ["          const entryEnd = reader.uint32() + reader.pos;"],
        [`          let key = ${valueDefault({ kind: "scalar", scalar: k })};`],
        ["          let value: ", valueType(ctx, f.value), f.value.kind === "message" ? " | undefined" : "", ` = ${valueDefault(f.value)};`],
        ["          while (reader.pos < entryEnd) {"],
        ["            const entryTag = reader.uint32();"],
        [`            if (entryTag === ${tag(1, wireType(k))}) key = ${readValue(ctx, { kind: "scalar", scalar: k }) as string};`],
        [`            else if (entryTag === ${tag(2, wire)}) value = `, read, ";"],
        ["            else reader.skip(entryTag & 7, entryTag >>> 3);"],
        ["          }"],
        store,
        ["          continue;"],
        ["        }"],
      ];
    }
  }
}

/** The property of the object fromJSON returns; `message` names the message in errors. */
export function fromJsonLine(ctx: ModuleContext, message: string, f: FieldDefIR): Printable[] {
  const names = f.jsonName === f.name ? [f.jsonName] : [f.jsonName, f.name];
  const field = JSON.stringify(`${message}.${f.jsonName}`);
  ctx.use("isSet");
  switch (f.cardinality) {
    case "single":
    case "required":
    case "optional": {
      const fallback = f.cardinality === "optional" ? "undefined" : valueDefault(f.value);
      const parts: Printable[] = [`      ${key(f.tsName)}: `];
      // JSON null means "unset", except for a google.protobuf.Value, where it is the value null.
      const isValue = f.value.kind === "message" && f.value.mapping === "value";
      for (const n of names) {
        const read = ownProp(ctx, "object", n);
        parts.push(isValue ? `${read} !== undefined ? ` : `isSet(${read}) ? `, valueFromJson(ctx, f.value, read, field), " : ");
      }
      return [...parts, `${fallback},`];
    }
    case "repeated": {
      ctx.use("jsonArray");
      const parts: Printable[] = [`      ${key(f.tsName)}: `];
      for (const n of names) {
        const read = ownProp(ctx, "object", n);
        parts.push(`isSet(${read}) ? jsonArray(${read}, ${field}).map((e: any) => `, valueFromJson(ctx, f.value, "e", field), ") : ");
      }
      return [...parts, "[],"];
    }
    case "map": {
      ctx.use("mapFromJSON");
      const source = names.map((n) => ownProp(ctx, "object", n)).join(" ?? ");
      const k = f.mapKey as ScalarType;
      const keyRead = mapKeyFromJson(ctx, k, field);
      return [`      ${key(f.tsName)}: isSet(${source}) ? mapFromJSON(${source}, ${field}, (v: any) => `, valueFromJson(ctx, f.value, "v", field), `${keyRead}) : {},`];
    }
  }
}

/** Map keys are JSON strings: integer and bool keys must spell a value of their type. */
function mapKeyFromJson(ctx: ModuleContext, k: ScalarType, field: string): string {
  if (k === "string") return "";
  if (k === "bool") {
    ctx.use("jsonMapBool");
    return `, (k: string) => jsonMapBool(k, ${field})`;
  }
  ctx.use(...scalarHelpers(k, true));
  return `, (k: string) => globalThis.String(${scalarFromJson(k, "k", field)})`;
}

export function toJsonLines(ctx: ModuleContext, f: FieldDefIR): Printable[][] {
  const v = `message.${f.tsName}`;
  const target = prop("obj", f.jsonName);
  switch (f.cardinality) {
    case "required":
      return [[`    ${target} = `, valueToJson(ctx, f.value, v), ";"]];
    case "single": {
      const set = valueIsSet(f.value, v);
      return [[`    if (${set}) ${target} = `, valueToJson(ctx, f.value, v), ";"]];
    }
    case "optional":
      return [[`    if (${v} !== undefined) ${target} = `, valueToJson(ctx, f.value, v), ";"]];
    case "repeated":
      return [[`    if (${v}.length !== 0) ${target} = ${v}.map((e) => `, valueToJson(ctx, f.value, "e"), ");"]];
    case "map":
      ctx.use("setEntry");
      return [
        [`    if (globalThis.Object.keys(${v}).length !== 0) {`],
        ["      const map: { [key: string]: any } = {};"],
        [`      for (const [k, v] of globalThis.Object.entries(${v})) setEntry(map, k, `, valueToJson(ctx, f.value, "v"), ");"],
        [`      ${target} = map;`],
        ["    }"],
      ];
  }
}

export function fromPartialLines(ctx: ModuleContext, f: FieldDefIR): Printable[][] {
  const v = `message.${f.tsName}`;
  const o = ownProp(ctx, "object", f.tsName);
  switch (f.cardinality) {
    case "single":
    case "required":
      return [[`    ${v} = ${o} ?? ${valueDefault(f.value)};`]];
    case "optional":
      if (f.value.kind === "message" && f.value.mapping === undefined) {
        return [[`    ${v} = ${o} !== undefined && ${o} !== null ? `, valueFromPartial(ctx, f.value, o), " : undefined;"]];
      }
      // A Value may be null (JSON null, NullValue on the wire): keep it, as ts-proto does.
      if (f.value.kind === "message" && f.value.mapping === "value") return [[`    ${v} = ${o} === undefined ? undefined : ${o};`]];
      return [[`    ${v} = ${o} ?? undefined;`]];
    case "repeated":
      return [[`    ${v} = ${o}?.map((e) => `, valueFromPartial(ctx, f.value, "e"), ") ?? [];"]];
    case "map": {
      const k = f.mapKey as ScalarType;
      const numeric = scalarTsType(k) === "number";
      if (!numeric) ctx.use("setEntry");
      return [
        [`    for (const [k, v] of globalThis.Object.entries(${o} ?? {})) {`],
        numeric
          ? ["      if (v !== undefined) ", `${v}[globalThis.Number(k)] = `, valueFromPartial(ctx, f.value, "v"), ";"]
          : ["      if (v !== undefined) ", `setEntry(${v}, k, `, valueFromPartial(ctx, f.value, "v"), ");"],
        ["    }"],
      ];
    }
  }
}
