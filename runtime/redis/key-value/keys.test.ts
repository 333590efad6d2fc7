import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashTagOf } from "../hashing/hash-tag.js";
import { shardedKey } from "./keys.js";

describe("shardedKey", () => {
  it("puts the shard key in a hash tag", () => {
    expect(shardedKey("user", 42)).toBe("user:{42}");
    expect(shardedKey("user", 42, "idx", "email")).toBe("user:{42}:idx:email");
    expect(shardedKey("user", "")).toBe("user:{%}");
    expect(shardedKey("user", "a}b{c%")).toBe("user:{a%7Db%7Bc%25}");
    expect(() => shardedKey("us{er", 1)).toThrow(RangeError);
  });

  it("gives every key of one shard key the same tag, and different shard keys different tags (fast-check)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (a, b, part) => {
        expect(hashTagOf(shardedKey("m", a))).toBe(hashTagOf(shardedKey("idx", a, part)));
        if (a !== b) expect(hashTagOf(shardedKey("m", a))).not.toBe(hashTagOf(shardedKey("m", b)));
      }),
    );
  });
});
