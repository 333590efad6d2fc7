import { describe, expect, it } from "vitest";
import { shardedKey } from "../../redis/key-value/keys.js";
import { keyText, parseClaim, shardTag } from "./keys.js";

describe("shardTag", () => {
  it.each(["42", "", "%", "{}", "a{b}c", "100%", "ü😀", "a:b"])("tags %j exactly as runtime/redis's shardedKey()", (value) => {
    expect(`p:${shardTag(value)}`).toBe(shardedKey("p", value));
  });
});

describe("parseClaim", () => {
  it("splits a claim into its owner record key and time", () => {
    expect(parseClaim("app:session:{7}:r:7:1700:t1\n1732530000123")).toEqual({ owner: "app:session:{7}:r:7:1700:t1", at: 1732530000123 });
  });

  it("reads the time of a sharded claim's token, <ms>.<nonce>", () => {
    expect(parseClaim("app:session:{7}:r:7:1700:t1\n1732530000123.9f3a01c2k")).toEqual({ owner: "app:session:{7}:r:7:1700:t1", at: 1732530000123 });
  });

  it("reads a bare record key (no time) as a claim from time 0", () => {
    expect(parseClaim("app:session:{7}:r:7:1700:t1")).toEqual({ owner: "app:session:{7}:r:7:1700:t1", at: 0 });
  });
});

describe("keyText", () => {
  it.each([
    ["a", "a"],
    ["", "%"],
    ["a:b{c}%\n", "a%3Ab%7Bc%7D%25%0A"],
    [-7n, "-7"],
    [1.5, "1.5"],
    [true, "1"],
    [new Uint8Array([251, 255]), "+/8="],
    [new Uint8Array([]), "%"],
  ] as const)("writes %s as %j", (value, text) => {
    expect(keyText(value)).toBe(text);
  });
});
