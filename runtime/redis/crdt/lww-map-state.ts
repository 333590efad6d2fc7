import { STAMP_LENGTH } from "./hlc.js";

/**
 * A last-writer-wins map: each field holds `<stamp><flag><value>` where the stamp is a hybrid
 * logical clock stamp and the flag is `s` (set) or `d` (deleted — a tombstone, so a replica
 * that missed the delete cannot bring the old value back). The later stamp wins per field;
 * merge is a per-field max of the entry strings, hence commutative, associative and idempotent.
 */
export type LwwState = ReadonlyMap<string, string>;

export function encodeSet(stamp: string, value: string): string {
  return `${stamp}s${value}`;
}

export function encodeDelete(stamp: string): string {
  return `${stamp}d`;
}

export function stampOf(entry: string): string {
  return entry.slice(0, STAMP_LENGTH);
}

/** The value an entry holds, or undefined for a tombstone. */
export function valueOf(entry: string): string | undefined {
  return entry.charAt(STAMP_LENGTH) === "s" ? entry.slice(STAMP_LENGTH + 1) : undefined;
}

export function laterEntry(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  // Whole-entry order: the stamp prefix decides; equal stamps (never issued twice, but a
  // hand-written entry could) fall back to the rest so every merge order agrees. The order is
  // the one the servers' LATER_FIELDS uses, UTF-8 bytes, which is code point order; JS's own
  // string order (UTF-16 units) differs from it above U+FFFF.
  return codePointAfter(b, a) ? b : a;
}

/** Whether `x` sorts after `y` by code point (= UTF-8 byte order), without allocating. */
function codePointAfter(x: string, y: string): boolean {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x.charCodeAt(i) !== y.charCodeAt(i)) return (x.codePointAt(i) as number) > (y.codePointAt(i) as number);
  }
  return x.length > y.length;
}

export function mergeLww(a: LwwState, b: LwwState): Map<string, string> {
  const merged = new Map(a);
  for (const [field, entry] of b) merged.set(field, laterEntry(merged.get(field), entry)!);
  return merged;
}

/** Live fields and their values. */
export function lwwEntries(state: LwwState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, entry] of [...state].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const value = valueOf(entry);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** Entries where `replica` is behind `merged`. */
export function lwwBehind(replica: LwwState, merged: LwwState): Map<string, string> {
  const behind = new Map<string, string>();
  for (const [field, entry] of merged) if (replica.get(field) !== entry) behind.set(field, entry);
  return behind;
}

/** HGETALL reply → state, skipping fields that are not well-formed entries. */
export function parseLww(hash: Readonly<Record<string, string>>): Map<string, string> {
  const state = new Map<string, string>();
  for (const [field, entry] of Object.entries(hash)) {
    const flag = entry.charAt(STAMP_LENGTH);
    if (entry.length > STAMP_LENGTH && (flag === "s" || flag === "d")) state.set(field, entry);
  }
  return state;
}
