import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { md5Words } from "./md5.js";

const reference = (text: string) => {
  const d = createHash("md5").update(text).digest();
  return [0, 1, 2, 3].map((i) => d.readUInt32LE(i * 4));
};

describe("md5Words", () => {
  it("matches node:crypto on known and long inputs", () => {
    for (const text of ["", "a", "abc", "user:{42}:profile", "x".repeat(55), "x".repeat(56), "x".repeat(64), "y".repeat(1_000), "ключ", "😀 key"]) {
      expect(md5Words(text)).toEqual(reference(text));
    }
  });

  it("matches node:crypto on arbitrary unicode strings (fast-check)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
      expect(md5Words(text)).toEqual(reference(text));
    }));
  });
});
