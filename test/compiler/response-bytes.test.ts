// The bin writes the CodeGeneratorResponse by hand (compiler/response-bytes.ts): its bytes must be
// exactly what protobuf-es writes for the same response, for any names and contents.
import { create, toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorResponseSchema } from "@bufbuild/protobuf/wkt";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { responseBytes } from "../../compiler/response-bytes.js";

const reference = (files: { name: string; content: string }[], features: number) =>
  toBinary(CodeGeneratorResponseSchema, create(CodeGeneratorResponseSchema, { supportedFeatures: BigInt(features), file: files }));

// Lone surrogates included: both sides write them as U+FFFD.
const text = fc.oneof(fc.string({ unit: "binary" }), fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }));

describe("responseBytes", () => {
  it("writes what protobuf-es writes", () => {
    const file = fc.record({ name: text, content: text });
    fc.assert(fc.property(fc.array(file, { maxLength: 5 }), fc.constantFrom(0, 1, 3), (files, features) => {
      expect(Buffer.from(responseBytes(files, features)).toString("hex")).toBe(Buffer.from(reference(files, features)).toString("hex"));
    }), { numRuns: 500 });
  });

  it("writes lengths that need two, three and four varint bytes", () => {
    const files = [100, 10_000, 1_500_000].map((n, i) => ({ name: `f${i}.ts`, content: "é".repeat(n) }));
    expect(Buffer.compare(responseBytes(files, 1), reference(files, 1))).toBe(0);
  });
});
