// An order-preserving, prefix-free encoding of key values as lower-case hex: comparing two
// encodings as strings (JS `<`, Redis ZRANGEBYLEX, memcmp) orders them like MySQL orders the
// typed columns (binary strings, signed/unsigned integers, IEEE doubles), with descending parts
// complemented. The memory and Redis back-ends sort by it, so all three list in the same order.
import type { ValueType } from "./descriptor.js";
import type { KeyPart } from "./plan.js";
import type { KeyValue } from "./values.js";

// One scratch buffer: keys are built synchronously, so calls never interleave.
let scratch = Buffer.allocUnsafe(256);
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= scratch.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(scratch.length * 2, at + bytes));
  scratch.copy(bigger, 0, 0, at);
  scratch = bigger;
}

function encodeOne(type: ValueType, value: KeyValue): void {
  switch (type) {
    case "string":
    case "bytes": {
      // UTF-8 takes at most 3 bytes per UTF-16 unit; escaping at most doubles that.
      const length = typeof value === "string" ? value.length * 3 : (value as Uint8Array).length;
      room(length * 2 + 2);
      const start = at;
      if (typeof value === "string") {
        at += scratch.write(value, at, "utf8");
      } else {
        scratch.set(value as Uint8Array, at);
        at += (value as Uint8Array).length;
      }
      // 0x00 is escaped to 00 ff and the value ends with 00 00: no encoding is a prefix of another.
      for (let i = start; i < at; i++) {
        if (scratch[i] !== 0) continue;
        scratch.copyWithin(i + 2, i + 1, at);
        scratch[++i] = 0xff;
        at++;
      }
      scratch[at++] = 0;
      scratch[at++] = 0;
      return;
    }
    case "bool":
      room(1);
      scratch[at++] = value === true ? 1 : 0;
      return;
    case "int32":
    case "enum":
      // Two's complement with the sign bit flipped orders signed numbers as unsigned bytes.
      room(4);
      scratch.writeInt32BE(value as number, at);
      scratch[at] = (scratch[at] as number) ^ 0x80;
      at += 4;
      return;
    case "uint32":
      room(4);
      at = scratch.writeUInt32BE(value as number, at);
      return;
    case "int64":
      room(8);
      scratch.writeBigInt64BE(value as bigint, at);
      scratch[at] = (scratch[at] as number) ^ 0x80;
      at += 8;
      return;
    case "uint64":
      room(8);
      at = scratch.writeBigUInt64BE(value as bigint, at);
      return;
    case "double":
    case "float": {
      room(8);
      const start = at;
      at = scratch.writeDoubleBE((value as number) === 0 ? 0 : (value as number), at);
      // Negative numbers: flip every bit; positive: flip the sign bit. Then bytes order like numbers.
      if ((scratch[start] as number) & 0x80) for (let i = start; i < at; i++) scratch[i] = ~(scratch[i] as number) & 0xff;
      else scratch[start] = (scratch[start] as number) ^ 0x80;
      return;
    }
    default:
      throw new Error(`a ${type} field cannot be part of a key`);
  }
}

const TWO_63 = 2n ** 63n;
const MAX_U64 = 2n ** 64n - 1n;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO_32 = 2 ** 32;

/** A 64-bit integer's 16 hex digits, sign-shifted for int64 and complemented when descending. */
function hex64(type: ValueType, value: bigint, descending: boolean): string {
  // Most values are safe integers: two 32-bit words of Number arithmetic allocate no bigints.
  if (value <= SAFE && value >= (type === "int64" ? -SAFE : 0n)) {
    const v = Number(value);
    const high = Math.floor(v / TWO_32);
    // Adding 2^63 to an int64 is flipping the sign bit of its high word.
    let hi = (type === "int64" ? high ^ 0x80000000 : high) >>> 0;
    let lo = (v - high * TWO_32) >>> 0;
    if (descending) {
      hi = ~hi >>> 0;
      lo = ~lo >>> 0;
    }
    return word(hi) + word(lo);
  }
  let n = type === "int64" ? value + TWO_63 : value;
  if (descending) n = MAX_U64 - n;
  return n.toString(16).padStart(16, "0");
}

function word(w: number): string {
  return (HEX[w >>> 24] as string) + (HEX[(w >>> 16) & 0xff] as string) + (HEX[(w >>> 8) & 0xff] as string) + (HEX[w & 0xff] as string);
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Plain ASCII without NUL (most keys) straight to hex; undefined for anything else. */
function asciiHex(value: string, descending: boolean): string | undefined {
  let hex = "";
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0 || c >= 0x80) return undefined;
    hex += HEX[descending ? 255 - c : c] as string;
  }
  return descending ? `${hex}ffff` : `${hex}0000`;
}

export function orderKey(parts: readonly KeyPart[], values: readonly KeyValue[]): string {
  let hex = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as KeyPart;
    hex += orderPart(part.field.type, values[i] as KeyValue, part.descending);
  }
  return hex;
}

/** One key part's share of an order key; generated entry builders call it per key field. */
export function orderPart(type: ValueType, value: KeyValue, descending: boolean): string {
  if (type === "string") {
    const ascii = asciiHex(value as string, descending);
    if (ascii !== undefined) return ascii;
  }
  // 64-bit integers straight to hex: cheaper than writing bigints into the buffer.
  if (type === "int64" || type === "uint64") return hex64(type, value as bigint, descending);
  at = 0;
  encodeOne(type, value);
  if (descending) for (let j = 0; j < at; j++) scratch[j] = ~(scratch[j] as number) & 0xff;
  return scratch.toString("hex", 0, at);
}
