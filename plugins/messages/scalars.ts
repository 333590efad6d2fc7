// Per-scalar facts of the generated codecs: TypeScript type, wire type, default, JSON conversion.
import type { ScalarType } from "../../compiler/index.js";
import { int64Scalars, scalarTsType } from "../common/scalar-types.js";

export { int64Scalars, scalarTsType };

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

const unsigned64: ReadonlySet<ScalarType> = new Set(["uint64", "fixed64"]);

export function wireType(s: ScalarType | "enum" | "message"): number {
  switch (s) {
    case "double":
    case "fixed64":
    case "sfixed64":
      return WIRE_FIXED64;
    case "float":
    case "fixed32":
    case "sfixed32":
      return WIRE_FIXED32;
    case "string":
    case "bytes":
    case "message":
      return WIRE_LEN;
    default:
      return WIRE_VARINT;
  }
}

/** Length-delimited scalars cannot be packed. */
export function packable(s: ScalarType | "enum"): boolean {
  return s !== "string" && s !== "bytes";
}

export function tag(fieldNumber: number, wire: number): number {
  return ((fieldNumber << 3) | wire) >>> 0;
}

export function scalarDefault(s: ScalarType): string {
  if (int64Scalars.has(s)) return "0n";
  switch (s) {
    case "bool":
      return "false";
    case "string":
      return '""';
    case "bytes":
      return "new Uint8Array(0)";
    default:
      return "0";
  }
}

/** A condition true when `v` is not the scalar's default (proto3 fields skip defaults on the wire). */
export function scalarIsSet(s: ScalarType, v: string): string {
  if (s === "bytes") return `${v}.length !== 0`;
  return `${v} !== ${scalarDefault(s)}`;
}

/** Writes `v` (the writer call chained after the tag); 64-bit values are range-checked first. */
export function scalarWrite(s: ScalarType, v: string): string {
  if (!int64Scalars.has(s)) return `${s}(${v})`;
  return `${s}(${unsigned64.has(s) ? "checkUint64" : "checkInt64"}(${v}))`;
}

export function scalarRead(s: ScalarType): string {
  if (s === "string") return "reader.string(true)"; // strict: invalid UTF-8 throws, as protobuf's parsers refuse it
  return int64Scalars.has(s) ? `reader.${s}() as bigint` : `reader.${s}()`;
}

/** Helper functions `scalarWrite` / the JSON conversions use for a scalar. */
export function scalarHelpers(s: ScalarType, json: boolean): string[] {
  if (json) return [jsonReader(s)];
  if (int64Scalars.has(s)) return [unsigned64.has(s) ? "checkUint64" : "checkInt64"];
  return [];
}

/** Helpers toJSON uses for a scalar. */
export function scalarToJsonHelpers(s: ScalarType): string[] {
  if (s === "bytes") return ["base64"];
  if (s === "double" || s === "float") return ["floatToJson"];
  return [];
}

/** The json-helpers.ts reader of a scalar's proto3 JSON forms. */
function jsonReader(s: ScalarType): string {
  switch (s) {
    case "int32":
    case "sint32":
    case "sfixed32":
      return "jsonInt32";
    case "uint32":
    case "fixed32":
      return "jsonUint32";
    case "int64":
    case "sint64":
    case "sfixed64":
      return "jsonInt64";
    case "uint64":
    case "fixed64":
      return "jsonUint64";
    default:
      return `json${s[0]!.toUpperCase()}${s.slice(1)}`;
  }
}

/** Reads `v` (a JSON value) as the scalar; `field` names it in the error. */
export function scalarFromJson(s: ScalarType, v: string, field: string): string {
  return `${jsonReader(s)}(${v}, ${field})`;
}

export function scalarToJson(s: ScalarType, v: string): string {
  if (int64Scalars.has(s)) return `${v}.toString()`;
  if (s === "double" || s === "float") return `floatToJson(${v})`;
  return s === "bytes" ? `base64FromBytes(${v})` : v;
}
