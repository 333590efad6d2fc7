import { describe, expect, it } from "vitest";
import { shardedKey } from "../../redis/key-value/keys.js";
import { shardTag } from "./keys.js";

describe("shardTag", () => {
  it.each(["42", "", "%", "{}", "a{b}c", "100%", "ü😀", "a:b"])("tags %j exactly as runtime/redis's shardedKey()", (value) => {
    expect(`p:${shardTag(value)}`).toBe(shardedKey("p", value));
  });
});
