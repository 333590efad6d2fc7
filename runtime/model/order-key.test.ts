import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { FieldDescriptor, ValueType } from "./descriptor.js";
import { orderKey } from "./order-key.js";
import type { KeyPart } from "./plan.js";
import type { KeyValue } from "./values.js";

const part = (type: ValueType, descending = false): KeyPart => ({
  field: { name: "f", prop: "f", json: "f", column: "f", type, nullable: false, sql: "" } satisfies FieldDescriptor,
  descending,
});

const sign = (x: number) => (x < 0 ? -1 : x > 0 ? 1 : 0);
const cmpKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const cmpValues = (a: KeyValue, b: KeyValue): number => {
  if (typeof a === "string" && typeof b === "string") return Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
};

const cases: [ValueType, fc.Arbitrary<KeyValue>][] = [
  ["int64", fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })],
  ["uint64", fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })],
  ["int32", fc.integer()],
  ["uint32", fc.nat({ max: 2 ** 32 - 1 })],
  ["double", fc.double({ noNaN: true })],
  ["string", fc.string({ unit: "binary" })],
  ["bytes", fc.uint8Array()],
  ["bool", fc.boolean()],
];

describe("orderKey", () => {
  for (const [type, values] of cases) {
    it(`orders ${type} values as MySQL orders the column, both directions`, () => {
      fc.assert(fc.property(values, values, (a, b) => {
        // -0 and 0 compare equal here, as in MySQL; orderKey writes both as 0.
        const expected = sign(cmpValues(a, b));
        expect(sign(cmpKeys(orderKey([part(type)], [a]), orderKey([part(type)], [b])))).toBe(expected);
        expect(sign(cmpKeys(orderKey([part(type, true)], [a]), orderKey([part(type, true)], [b])))).toBe(expected === 0 ? 0 : -expected);
      }));
    });
  }

  it("orders two-part keys by the first part, then the second (strings are prefix-free)", () => {
    const parts = [part("string"), part("int64", true)];
    fc.assert(fc.property(fc.string({ unit: "binary" }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.string({ unit: "binary" }), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (s1, n1, s2, n2) => {
        const first = sign(cmpValues(s1, s2));
        const expected = first !== 0 ? first : -sign(cmpValues(n1, n2));
        expect(sign(cmpKeys(orderKey(parts, [s1, n1]), orderKey(parts, [s2, n2])))).toBe(expected);
      }));
  });

  it("writes 64-bit integers as they are stored: (value + 2^63) for int64, complemented when descending, 16 hex digits", () => {
    const hex = (n: bigint) => n.toString(16).padStart(16, "0");
    const max = 2n ** 64n - 1n;
    // Safe integers take a Number path of their own: values around 2^32 and ±2^53 cross its edges.
    const safe = 2n ** 53n;
    const edges = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, -(2n ** 32n), 2n ** 32n - 1n, -(2n ** 32n) + 1n, safe - 1n, -safe + 1n, safe, -safe, safe + 1n, -safe - 1n];
    const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -safe, max: safe }), fc.constantFrom(...edges));
    const uint64 = fc.oneof(fc.bigInt({ min: 0n, max }), fc.bigInt({ min: 0n, max: safe }), fc.constantFrom(...edges.filter((e) => e >= 0n)));
    fc.assert(fc.property(int64, uint64, (i, u) => {
      expect(orderKey([part("int64")], [i])).toBe(hex(i + 2n ** 63n));
      expect(orderKey([part("int64", true)], [i])).toBe(hex(max - (i + 2n ** 63n)));
      expect(orderKey([part("uint64")], [u])).toBe(hex(u));
      expect(orderKey([part("uint64", true)], [u])).toBe(hex(max - u));
    }));
  });

  it("escapes zero bytes: \"a\" < \"a\\0\" < \"a\\0\\0\" < \"ab\"", () => {
    const keys = ["a", "a\0", "a\0\0", "ab"].map((s) => orderKey([part("string")], [s]));
    expect([...keys].sort()).toEqual(keys);
  });
});
