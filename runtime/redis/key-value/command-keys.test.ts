import { describe, expect, it } from "vitest";
import { commandKeys } from "./command-keys.js";

describe("commandKeys", () => {
  it.each([
    ["GET", ["k"], ["k"]],
    ["hset", ["h", "f", "v"], ["h"]],
    ["DEL", ["a", "b", "c"], ["a", "b", "c"]],
    ["MSET", ["a", 1, "b", 2], ["a", "b"]],
    ["BLPOP", ["a", "b", 0], ["a", "b"]],
    ["SMOVE", ["src", "dst", "member"], ["src", "dst"]],
    ["EVAL", ["return 1", 2, "a", "b", "arg"], ["a", "b"]],
    ["EVALSHA", ["abc", 0, "arg"], []],
    ["ZUNIONSTORE", ["d", 2, "a", "b", "WEIGHTS", 1, 2], ["d", "a", "b"]],
    ["ZUNION", [2, "a", "b"], ["a", "b"]],
    ["BLMPOP", [0, 2, "a", "b", "LEFT"], ["a", "b"]],
    ["BITOP", ["AND", "d", "a", "b"], ["d", "a", "b"]],
    ["OBJECT", ["ENCODING", "k"], ["k"]],
    ["XREAD", ["COUNT", 2, "STREAMS", "s1", "s2", "0", "0"], ["s1", "s2"]],
  ] as const)("%s %j → %j", (command, args, keys) => {
    expect(commandKeys(command, args)).toEqual(keys);
  });

  it("reports keyless commands as null", () => {
    expect(commandKeys("PING", [])).toBeNull();
    expect(commandKeys("scan", [0])).toBeNull();
    expect(commandKeys("INFO", ["memory"])).toBeNull();
  });
});
