// Code for one value of a field (a singular value, a list element, a map value), by kind: its
// TypeScript type, default, binary write/read, JSON conversion and fromPartial copy.
import type { Printable, ScalarType, ValueIR } from "../../compiler/index.js";
import type { ModuleContext } from "./module-context.js";
import { scalarDefault, scalarIsSet, scalarFromJson, scalarHelpers, scalarRead, scalarToJson, scalarToJsonHelpers, scalarTsType, scalarWrite, tag, wireType } from "./scalars.js";

type MessageValue = Extract<ValueIR, { kind: "message" }>;

const plainTypes = { struct: "{ [key: string]: any }", value: "any", list: "Array<any>", field_mask: "string[]", timestamp: "Date" } as const;

export function valueType(ctx: ModuleContext, v: ValueIR): Printable {
  switch (v.kind) {
    case "scalar":
      return globalType(ctx, scalarTsType(v.scalar));
    case "enum":
      return ctx.ref(v.ref, true);
    case "message":
      if (v.mapping === undefined) return ctx.ref(v.ref, true);
      return globalType(ctx, v.mapping === "wrapper" ? scalarTsType(v.wrapped as ScalarType) : plainTypes[v.mapping]);
  }
}

/** Uint8Array and Date in a type position: the globals, even where a schema type shares the name. */
function globalType(ctx: ModuleContext, t: string): string {
  return t === "Uint8Array" || t === "Date" ? ctx.global(t) : t;
}

export function valueDefault(v: ValueIR): string {
  switch (v.kind) {
    case "scalar":
      return scalarDefault(v.scalar);
    case "enum":
      return String(v.defaultNumber);
    case "message":
      return "undefined";
  }
}

/** A condition true when a scalar or enum `expr` is not its default (proto3 skips defaults). */
export function valueIsSet(v: ValueIR, expr: string): string {
  return v.kind === "scalar" ? scalarIsSet(v.scalar, expr) : `${expr} !== ${valueDefault(v)}`;
}

/** Writes `expr` as field `fieldNumber`: a whole statement. */
export function writeValue(ctx: ModuleContext, v: ValueIR, fieldNumber: number, expr: string): Printable[] {
  switch (v.kind) {
    case "scalar":
      ctx.use(...scalarHelpers(v.scalar, false));
      return [`writer.uint32(${tag(fieldNumber, wireType(v.scalar))}).${scalarWrite(v.scalar, expr)};`];
    case "enum":
      return [`writer.uint32(${tag(fieldNumber, 0)}).int32(${expr});`];
    case "message": {
      const codec = ctx.ref(v.ref);
      const wrapped = wrapForWire(ctx, v, codec, expr);
      if (v.delimited) return [codec, `.encode(`, wrapped, `, writer.uint32(${tag(fieldNumber, 3)})).uint32(${tag(fieldNumber, 4)});`];
      return [codec, `.encode(`, wrapped, `, writer.uint32(${tag(fieldNumber, 2)}).fork()).join();`];
    }
  }
}

function wrapForWire(ctx: ModuleContext, v: MessageValue, codec: Printable, expr: string): Printable {
  switch (v.mapping) {
    case undefined:
      return expr;
    case "timestamp":
      ctx.use("timestamp");
      return `toTimestamp(${expr})`;
    case "wrapper":
      return `{ value: ${expr} }`;
    default:
      return [codec, `.wrap(${expr})`];
  }
}

/** Reads one value whose tag was just read: an expression. */
export function readValue(ctx: ModuleContext, v: ValueIR): Printable {
  switch (v.kind) {
    case "scalar":
      return scalarRead(v.scalar);
    case "enum":
      return ["reader.int32() as ", ctx.ref(v.ref, true)];
    case "message": {
      const codec = ctx.ref(v.ref);
      return fromWireMessage(ctx, v, v.delimited ? [codec, ".decode(reader)"] : [codec, ".decode(reader, reader.uint32())"]);
    }
  }
}

/** The value of an empty message of `v`'s type, as a field holds it (a map entry without a value). */
export function emptyMessageValue(ctx: ModuleContext, v: MessageValue): Printable {
  return fromWireMessage(ctx, v, [ctx.ref(v.ref), ".fromPartial({})"]);
}

/** A decoded message as the field holds it: plain values for the mapped well-known types. */
function fromWireMessage(ctx: ModuleContext, v: MessageValue, decoded: Printable): Printable {
  switch (v.mapping) {
    case undefined:
      return decoded;
    case "timestamp":
      ctx.use("timestamp");
      return ["fromTimestamp(", decoded, ")"];
    case "wrapper":
      return [decoded, ".value"];
    default:
      return [ctx.ref(v.ref), ".unwrap(", decoded, ")"];
  }
}

/** Reads `expr` (a JSON value) as `v`; `field` (a string literal) names the field in errors. */
export function valueFromJson(ctx: ModuleContext, v: ValueIR, expr: string, field: string): Printable {
  switch (v.kind) {
    case "scalar":
      ctx.use(...scalarHelpers(v.scalar, true));
      return scalarFromJson(v.scalar, expr, field);
    case "enum":
      ctx.use("jsonEnum");
      return ["jsonEnum(", expr, `, ${field}, `, ctx.enumFunction(v.ref, "FromJSON"), ", ", ctx.enumFunction(v.ref, "ToJSON"), ")"];
    case "message":
      switch (v.mapping) {
        case undefined:
          ctx.use("jsonObject");
          return [ctx.ref(v.ref), `.fromJSON(jsonObject(${expr}, ${field}))`];
        case "timestamp":
          ctx.use("timestamp");
          return `fromJsonTimestamp(${expr}, ${field})`;
        case "wrapper":
          ctx.use(...scalarHelpers(v.wrapped as ScalarType, true));
          return scalarFromJson(v.wrapped as ScalarType, expr, field);
        case "field_mask":
          ctx.use("fieldMask");
          return `fieldMaskFromJSON(${expr}, ${field})`;
        case "list":
          ctx.use("jsonArray");
          return `[...jsonArray(${expr}, ${field})]`;
        case "struct":
          ctx.use("jsonObject");
          return `jsonObject(${expr}, ${field})`;
        default:
          return expr;
      }
  }
}

export function valueToJson(ctx: ModuleContext, v: ValueIR, expr: string): Printable {
  switch (v.kind) {
    case "scalar":
      ctx.use(...scalarToJsonHelpers(v.scalar));
      return scalarToJson(v.scalar, expr);
    case "enum":
      return [ctx.enumFunction(v.ref, "ToJSON"), `(${expr})`];
    case "message":
      switch (v.mapping) {
        case undefined:
          return [ctx.ref(v.ref), `.toJSON(${expr})`];
        case "timestamp":
          return `${expr}.toISOString()`;
        case "wrapper":
          ctx.use(...scalarToJsonHelpers(v.wrapped as ScalarType));
          return scalarToJson(v.wrapped as ScalarType, expr);
        case "field_mask":
          return `${expr}.join(",")`;
        default:
          return expr;
      }
  }
}

/** A copy of a DeepPartial value: only plain messages need a conversion. */
export function valueFromPartial(ctx: ModuleContext, v: ValueIR, expr: string): Printable {
  return v.kind === "message" && v.mapping === undefined ? [ctx.ref(v.ref), `.fromPartial(${expr})`] : expr;
}
