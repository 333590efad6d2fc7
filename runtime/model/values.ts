// Field values as the back-ends see them: read from a record, written as text, checked for zero.
import type { FieldDescriptor, ValueType } from "./descriptor.js";
import type { ModelPlan } from "./plan.js";

/** A key or index value: what a singular scalar or enum field holds. */
export type KeyValue = string | number | bigint | boolean | Uint8Array;

export function fieldValue<T>(record: T, field: FieldDescriptor): unknown {
  return (record as Record<string, unknown>)[field.prop];
}

export function keyValues<T>(record: T, fields: readonly FieldDescriptor[]): KeyValue[] {
  return fields.map((f) => fieldValue(record, f) as KeyValue);
}

/** The value as text, for Redis keys and cursors; parsed back by `fromText`. */
export function textOf(value: KeyValue): string {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("base64");
  if (typeof value === "boolean") return value ? "1" : "0";
  return String(value);
}

export function fromText(type: ValueType, text: string): KeyValue {
  switch (type) {
    case "string":
      return text;
    case "bytes":
      return new Uint8Array(Buffer.from(text, "base64"));
    case "bool":
      return text === "1";
    case "int64":
    case "uint64":
      return BigInt(text);
    default:
      return Number(text);
  }
}

function isZero(value: unknown): boolean {
  return value === "" || value === 0 || value === 0n || value === false || value === undefined;
}

/** The record with (rony.field).default applied to fields left at their zero value. */
export function withDefaults<T>(plan: ModelPlan<T>, record: T): T {
  let out: T | undefined;
  for (const f of plan.withDefaults) {
    if (!isZero(fieldValue(record, f))) continue;
    out ??= { ...record };
    (out as Record<string, unknown>)[f.prop] = f.defaultValue;
  }
  return out ?? record;
}
