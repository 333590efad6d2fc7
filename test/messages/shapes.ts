// The two documented differences of shape between our messages and ts-proto's, as conversions,
// so one value can be fed to both and their results compared:
// - ts-proto holds maps with 64-bit or bool keys as ES Maps (Map<bigint, V>, Map<boolean, V>);
//   ours holds every map as a plain object keyed by the key's text.
// - proto2 optional scalars: ts-proto starts them at their [default] (or zero) and never writes a
//   value equal to it; ours leaves them undefined (presence) and ignores [default]. `withDefaults`
//   fills undefined with the default on both sides: the values agree up to that.
// - ts-proto bugs worked around so the rest can be compared: see ownPrototypeKeys and withDefaults.
import { ScalarType, type DescField, type DescMessage } from "@bufbuild/protobuf";
import type { Msg } from "./arbitraries.js";

const esMapKeys = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.BOOL]);

function keyFromText(t: ScalarType, k: string): unknown {
  return t === ScalarType.BOOL ? k === "true" : BigInt(k);
}

/** An own property only: fields may be named like Object.prototype members (constructor). */
function own(v: Msg, key: string): unknown {
  return Object.hasOwn(v, key) ? v[key] : undefined;
}

/** Applies `fn` to every user message value reached from `value` (including itself). */
function mapMessages(m: DescMessage, value: Msg, fn: (m: DescMessage, v: Msg) => Msg): Msg {
  const out: Msg = { ...value };
  for (const f of m.fields) {
    const v = own(out, f.jsonName);
    if (v === undefined || !isUserMessageField(f)) continue;
    const sub = f.message as DescMessage;
    const conv = (e: unknown) => (e === undefined ? e : mapMessages(sub, e as Msg, fn));
    if (f.fieldKind === "list") out[f.jsonName] = (v as unknown[]).map(conv);
    else if (f.fieldKind === "map") out[f.jsonName] = mapEntries(v, conv);
    else out[f.jsonName] = conv(v);
  }
  return fn(m, out);
}

function isUserMessageField(f: DescField): boolean {
  const m = f.fieldKind === "message" || (f.fieldKind === "list" && f.listKind === "message") || (f.fieldKind === "map" && f.mapKind === "message") ? f.message : undefined;
  return m !== undefined && !m.typeName.startsWith("google.protobuf.");
}

function mapEntries(v: unknown, fn: (e: unknown) => unknown): unknown {
  if (v instanceof Map) return new Map([...v].map(([k, e]) => [k, fn(e)]));
  return Object.fromEntries(Object.entries(v as Msg).map(([k, e]) => [k, fn(e)]));
}

export function toTsProto(m: DescMessage, value: Msg): Msg {
  return mapMessages(m, value, (d, v) => {
    for (const f of d.fields) {
      const map = own(v, f.jsonName);
      if (f.fieldKind === "map" && esMapKeys.has(f.mapKey) && map !== undefined) {
        v[f.jsonName] = new Map(Object.entries(map as Msg).map(([k, e]) => [keyFromText(f.mapKey, k), e]));
      }
    }
    return v;
  });
}

export function fromTsProto(m: DescMessage, value: Msg): Msg {
  return mapMessages(m, value, (d, v) => {
    for (const f of d.fields) {
      const map = own(v, f.jsonName);
      if (map instanceof Map) v[f.jsonName] = Object.fromEntries([...map].map(([k, e]) => [String(k), e]));
    }
    return v;
  });
}

function zero(f: DescField): unknown {
  if (f.fieldKind === "enum") return f.enum.values[0]?.number;
  switch (f.scalar) {
    case ScalarType.BOOL:
      return false;
    case ScalarType.STRING:
      return "";
    case ScalarType.BYTES:
      return new Uint8Array(0);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 0n;
    default:
      return 0;
  }
}

/** proto2 optional scalars and enums that are undefined take their default (see the header). */
export function withDefaults(m: DescMessage, value: Msg): Msg {
  return mapMessages(m, value, (d, v) => {
    if (d.file.edition !== 998) return v; // EDITION_PROTO2
    for (const f of d.fields) {
      if ((f.fieldKind === "scalar" || f.fieldKind === "enum") && f.oneof === undefined && own(v, f.jsonName) === undefined) {
        // ts-proto ignores a bytes [default] (it starts at an empty array): so does the comparison.
        v[f.jsonName] = f.fieldKind === "scalar" && f.scalar === ScalarType.BYTES ? zero(f) : (f.getDefaultValue() ?? zero(f));
      }
    }
    return v;
  });
}

/** Whether some map reached from `m` has a key of `keys` (by default: ts-proto holds it as an ES
 * Map, whose entries keep insertion order while an object lists integer-like keys first). */
export function reachesEsMap(m: DescMessage, keys: ReadonlySet<ScalarType> = esMapKeys, seen = new Set<string>()): boolean {
  if (seen.has(m.typeName)) return false;
  seen.add(m.typeName);
  return m.fields.some((f) => (f.fieldKind === "map" && keys.has(f.mapKey)) || (f.message !== undefined && reachesEsMap(f.message, keys, seen)));
}

/** ts-proto's fromJSON reads a bool map key "false" as true (Boolean("false")). */
export const boolKeys: ReadonlySet<ScalarType> = new Set([ScalarType.BOOL]);

/** Without two ts-proto JSON bugs, so the rest can be compared:
 * - google.protobuf.BytesValue fields: its toJSON writes the raw Uint8Array (not base64) and its
 *   fromJSON reads base64 text as an empty array. Ours writes and reads base64.
 * - a google.protobuf.Value field holding null: its fromJSON reads JSON null as unset; ours reads
 *   the value null (NullValue), as proto3 JSON specifies. */
export function withoutTsJsonBugs(m: DescMessage, value: unknown): unknown {
  const out = { ...(value as Msg) };
  for (const f of m.fields) {
    const type = f.fieldKind === "message" ? f.message.typeName : undefined;
    if (type === "google.protobuf.BytesValue" || (type === "google.protobuf.Value" && out[f.jsonName] === null)) delete out[f.jsonName];
  }
  return out;
}

/** Whether `value` holds a Date before 1970 with a fraction of a second: ts-proto writes it as a
 * Timestamp with negative nanos (it truncates toward zero); ours floors, as the spec asks. Both read
 * either back to the same Date, but the bytes differ. */
export function hasPreEpochFraction(value: unknown): boolean {
  if (value instanceof Date) return value.getTime() < 0 && value.getTime() % 1000 !== 0;
  if (value instanceof Map) return [...value.values()].some(hasPreEpochFraction);
  if (typeof value === "object" && value !== null && !(value instanceof Uint8Array)) return Object.values(value).some(hasPreEpochFraction);
  return false;
}

/** ts-proto reads a field named like an Object.prototype member (constructor, toString) from the
 * prototype when the input lacks it (fromJSON({}) gives constructor "function Object() …"); ours
 * reads own properties only. Before handing ts-proto an input, such keys are set explicitly. */
export function ownPrototypeKeys(m: DescMessage, value: Msg): Msg {
  return mapMessages(m, value, (d, v) => {
    for (const f of d.fields) if (f.jsonName in Object.prototype && !Object.hasOwn(v, f.jsonName)) v[f.jsonName] = undefined;
    return v;
  });
}
