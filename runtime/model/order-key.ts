// An order-preserving, prefix-free encoding of key values as lower-case hex: comparing two
// encodings as strings (JS `<`, Redis ZRANGEBYLEX, memcmp) orders them like MySQL orders the
// typed columns (binary strings, signed/unsigned integers, IEEE doubles), with descending parts
// complemented. The memory and Redis back-ends sort by it, so all three list in the same order.
import type { ValueType } from "./descriptor.js";
import type { KeyPart } from "./plan.js";
import type { KeyValue } from "./values.js";

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const scratch = new DataView(new ArrayBuffer(8));

function pushFixed(out: number[], bytes: number): void {
  for (let i = 0; i < bytes; i++) out.push(scratch.getUint8(i));
}

function encodeOne(out: number[], type: ValueType, value: KeyValue): void {
  switch (type) {
    case "string":
    case "bytes": {
      const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : (value as Uint8Array);
      // 0x00 is escaped to 00 ff and the value ends with 00 00: no encoding is a prefix of another.
      for (const b of bytes) {
        out.push(b);
        if (b === 0) out.push(0xff);
      }
      out.push(0, 0);
      return;
    }
    case "bool":
      out.push(value === true ? 1 : 0);
      return;
    case "int32":
    case "enum":
      scratch.setUint32(0, ((value as number) ^ 0x80000000) >>> 0);
      return pushFixed(out, 4);
    case "uint32":
      scratch.setUint32(0, value as number);
      return pushFixed(out, 4);
    case "int64":
      scratch.setBigUint64(0, BigInt.asUintN(64, (value as bigint) ^ -0x8000000000000000n));
      return pushFixed(out, 8);
    case "uint64":
      scratch.setBigUint64(0, value as bigint);
      return pushFixed(out, 8);
    case "double":
    case "float": {
      scratch.setFloat64(0, (value as number) === 0 ? 0 : (value as number));
      const negative = (scratch.getUint8(0) & 0x80) !== 0;
      for (let i = 0; i < 8; i++) {
        const b = scratch.getUint8(i);
        out.push(negative ? ~b & 0xff : i === 0 ? b ^ 0x80 : b);
      }
      return;
    }
    default:
      throw new Error(`a ${type} field cannot be part of a key`);
  }
}

export function orderKey(parts: readonly KeyPart[], values: readonly KeyValue[]): string {
  let hex = "";
  const bytes: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as KeyPart;
    bytes.length = 0;
    encodeOne(bytes, part.field.type, values[i] as KeyValue);
    for (const b of bytes) hex += HEX[part.descending ? ~b & 0xff : b];
  }
  return hex;
}
