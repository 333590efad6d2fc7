// Helper functions a message module may need, emitted once per module and only when used.
// Everything global is reached through globalThis: a message may be named Object, Error or Promise.
import { jsonRequires, jsonSources } from "./json-helpers.js";

const sources: Record<string, string> = {
  ...jsonSources,
  isSet: `function isSet(value: any): boolean {
  return value !== null && value !== undefined;
}`,
  own: `function own(object: any, key: string): any {
  return globalThis.Object.prototype.hasOwnProperty.call(object, key) ? object[key] : undefined;
}`,
  isObject: `function isObject(value: any): boolean {
  return typeof value === "object" && value !== null && !globalThis.Array.isArray(value);
}`,
  checkInt64: `function checkInt64(value: bigint): bigint {
  if (globalThis.BigInt.asIntN(64, value) !== value) throw new globalThis.RangeError(\`\${value} does not fit a signed 64-bit field\`);
  return value;
}`,
  checkUint64: `function checkUint64(value: bigint): bigint {
  if (globalThis.BigInt.asUintN(64, value) !== value) throw new globalThis.RangeError(\`\${value} does not fit an unsigned 64-bit field\`);
  return value;
}`,
  base64: `function bytesFromBase64(b64: string): globalThis.Uint8Array {
  if ((globalThis as any).Buffer) return globalThis.Uint8Array.from((globalThis as any).Buffer.from(b64, "base64"));
  const bin = globalThis.atob(b64);
  const arr = new globalThis.Uint8Array(bin.length);
  for (let i = 0; i < bin.length; ++i) arr[i] = bin.charCodeAt(i);
  return arr;
}

function base64FromBytes(arr: globalThis.Uint8Array): string {
  if ((globalThis as any).Buffer) return (globalThis as any).Buffer.from(arr).toString("base64");
  const bin: string[] = [];
  arr.forEach((byte) => bin.push(globalThis.String.fromCharCode(byte)));
  return globalThis.btoa(bin.join(""));
}`,
  // JSON has no NaN or Infinity: proto3 JSON spells them "NaN", "Infinity", "-Infinity" (fromJSON's Number() reads them back).
  floatToJson: `function floatToJson(value: number): number | string {
  return globalThis.Number.isFinite(value) ? value : globalThis.String(value);
}`,
  // A map key "__proto__" must become an own entry, not the object's prototype.
  setEntry: `function setEntry<V>(map: { [key: string]: V }, key: string, value: V): void {
  if (key === "__proto__") globalThis.Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}`,
  // Map keys are JSON strings; integer and bool keys must spell a value of the key type.
  mapFromJSON: `function mapFromJSON<V>(object: any, field: string, value: (v: any) => V, key?: (k: string) => string): { [key: string]: V } {
  const map: { [key: string]: V } = {};
  for (const [k, v] of globalThis.Object.entries(jsonObject(object, field))) setEntry(map, key === undefined ? k : key(k), value(v));
  return map;
}`,
  // Timestamps are Dates in messages; nanos below a millisecond are dropped.
  timestamp: `function toTimestamp(date: globalThis.Date): Timestamp {
  const ms = date.getTime();
  const seconds = globalThis.Math.floor(ms / 1000);
  return { seconds: globalThis.BigInt(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}

function fromTimestamp(t: Timestamp): globalThis.Date {
  return new globalThis.Date(globalThis.Number(t.seconds) * 1000 + globalThis.Math.floor(t.nanos / 1_000_000));
}

// proto3 JSON writes a Timestamp as an RFC 3339 string; nothing else is read.
function fromJsonTimestamp(o: any, field: string): globalThis.Date {
  if (o instanceof globalThis.Date) return o;
  const date = typeof o === "string" && /^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$/.test(o) ? new globalThis.Date(o) : undefined;
  if (date === undefined || globalThis.Number.isNaN(date.getTime())) jsonFail(field, o, "an RFC 3339 timestamp");
  return date;
}`,
  fieldMask: `function fieldMaskFromJSON(o: any, field: string): string[] {
  const paths = jsonString(o, field);
  return paths === "" ? [] : paths.split(",");
}`,
  types: `export type DeepPartial<T> = T extends globalThis.Date | globalThis.Function | globalThis.Uint8Array | string | number | boolean | bigint | undefined ? T
  : T extends globalThis.Array<infer U> ? globalThis.Array<DeepPartial<U>>
  : T extends globalThis.ReadonlyArray<infer U> ? globalThis.ReadonlyArray<DeepPartial<U>>
  : T extends {} ? { [K in keyof T]?: DeepPartial<T[K]> }
  : globalThis.Partial<T>;

export interface MessageFns<T> {
  encode(message: T, writer?: BinaryWriter): BinaryWriter;
  decode(input: BinaryReader | globalThis.Uint8Array, length?: number): T;
  fromJSON(object: any): T;
  toJSON(message: T): unknown;
  create(base?: DeepPartial<T>): T;
  fromPartial(object: DeepPartial<T>): T;
}`,
};

/** Every function and type the helpers declare. */
export const helperIdentifiers: readonly string[] = Object.values(sources).flatMap((src) =>
  [...src.matchAll(/^(?:export )?(?:function|type|interface) (\w+)/gm)].map((m) => m[1] as string),
);

const requires: Record<string, string[]> = {
  mapFromJSON: ["jsonObject", "setEntry"],
  timestamp: ["jsonFail"],
  fieldMask: ["jsonString"],
  ...jsonRequires,
};

/** The source of the named helpers (and of the helpers they need), in a fixed order. */
export function helperSource(used: ReadonlySet<string>): string[] {
  const all = new Set(used);
  for (const name of all) for (const dep of requires[name] ?? []) all.add(dep); // a Set iterates what is added
  return Object.keys(sources).filter((name) => all.has(name)).map((name) => sources[name] as string);
}
