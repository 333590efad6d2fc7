// The reused reader and writer take shortcuts (native text slices, one-byte varints, a writer
// pointed into a frame): each is held equal to protobuf-es' own reader and writer here, and on
// every conformance message in test/messages/conformance.test.ts.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ReusedReader, ReusedWriter, reuseWorks } from "./reused-wire.js";

type Field = { kind: "uint32"; value: number } | { kind: "string"; value: string } | { kind: "int64"; value: bigint };

const field: fc.Arbitrary<Field> = fc.oneof(
  fc.nat({ max: 0xffffffff }).map((value) => ({ kind: "uint32" as const, value })),
  fc.integer({ min: 0, max: 200 }).map((value) => ({ kind: "uint32" as const, value })),
  // Lone surrogates and astral characters included: both writers replace the former with U+FFFD.
  fc.string({ unit: "binary", maxLength: 60 }).map((value) => ({ kind: "string" as const, value })),
  fc.string({ unit: "grapheme-ascii", maxLength: 60 }).map((value) => ({ kind: "string" as const, value })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value) => ({ kind: "int64" as const, value })),
  // Both sides of the edges of the halves the writer works in and of the reader's seven-byte path.
  fc.oneof(fc.constantFrom(0n, 1n, 127n, 128n, 16383n, 16384n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 35n - 1n, 2n ** 35n, 2n ** 49n - 1n, 2n ** 49n, -1n, -(2n ** 31n), -(2n ** 63n), 2n ** 63n - 1n), fc.bigInt({ min: 0n, max: 2n ** 20n }), fc.bigInt({ min: 0n, max: 2n ** 53n + 2n }), fc.bigInt({ min: -(2n ** 33n), max: 0n })).map((value) => ({ kind: "int64" as const, value })),
);

function write(w: BinaryWriter, fields: readonly Field[]): void {
  for (const f of fields) {
    if (f.kind === "uint32") w.uint32(f.value);
    else if (f.kind === "string") w.string(f.value);
    else w.int64(f.value);
  }
}

function read(r: BinaryReader, fields: readonly Field[], strict: boolean): unknown[] {
  return fields.map((f) => (f.kind === "uint32" ? r.uint32() : f.kind === "string" ? r.string(strict) : r.int64()));
}

describe("ReusedWriter and ReusedReader", () => {
  it("load with protobuf-es' private fields where they expect them", () => {
    expect(reuseWorks).toBe(true);
  });

  it("write the bytes BinaryWriter writes, from any position of the buffer they are pointed into", () => {
    const w = new ReusedWriter();
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), fc.nat({ max: 40 }), fc.nat({ max: 300 }), (fields, at, room) => {
        const expected = new BinaryWriter();
        write(expected, fields);
        const bytes = expected.finish();
        const into = new Uint8Array(at + room);
        w.writeInto(into, at);
        write(w, fields);
        const got = w.written.slice(at, w.writtenLength);
        w.rewind();
        expect(got).toEqual(bytes);
        // Before `at`, the buffer is untouched (a frame handed out earlier lives there).
        expect(into.subarray(0, at).every((b) => b === 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("refuse an int64 out of range as BinaryWriter does", () => {
    for (const value of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n]) {
      const w = new ReusedWriter();
      expect(() => w.int64(value)).toThrow(/invalid int64/);
      expect(() => new BinaryWriter().int64(value)).toThrow(/invalid int64/);
    }
  });

  it("read back every field BinaryWriter wrote, as BinaryReader does", () => {
    const r = new ReusedReader();
    fc.assert(
      fc.property(fc.array(field, { maxLength: 12 }), (fields) => {
        const w = new BinaryWriter();
        write(w, fields);
        const bytes = w.finish();
        expect(read(r.reset(bytes), fields, true)).toEqual(read(new BinaryReader(bytes), fields, true));
        expect(r.pos).toBe(bytes.length);
      }),
      { numRuns: 500 },
    );
  });

  it("read what BinaryReader reads, strict or not, valid UTF-8 or not, from inside a larger frame", () => {
    const r = new ReusedReader();
    const utf8OrNot = fc.oneof(fc.string({ unit: "binary", maxLength: 60 }).map((s) => new TextEncoder().encode(s)), fc.uint8Array({ maxLength: 60 }));
    fc.assert(
      fc.property(fc.array(utf8OrNot, { maxLength: 6 }), fc.boolean(), fc.nat({ max: 8 }), (texts, strict, pad) => {
        const w = new BinaryWriter();
        for (const t of texts) w.bytes(t); // a string field is a bytes field on the wire
        const bytes = w.finish();
        const fields = texts.map(() => ({ kind: "string" as const, value: "" }));
        const outcome = (f: () => unknown[]) => {
          try {
            return { value: f() };
          } catch (e) {
            return { threw: (e as Error).constructor.name };
          }
        };
        const framed = new Uint8Array(pad + bytes.length + pad).fill(0xc3);
        framed.set(bytes, pad);
        expect(outcome(() => read(r.reset(framed, pad, pad + bytes.length), fields, strict))).toEqual(outcome(() => read(new BinaryReader(bytes), fields, strict)));
      }),
      { numRuns: 500 },
    );
  });
});
