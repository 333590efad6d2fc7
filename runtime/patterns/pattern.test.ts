import { describe, expect, it } from "vitest";
import { ErrorCode, RonyError } from "../rpc/index.js";
import { PatternError, parsePattern } from "./pattern.js";

describe("parsePattern", () => {
  it("sorts pairs by key into one canonical form", () => {
    expect(parsePattern("role:math,cmd:sum")).toEqual({ pairs: [{ key: "cmd", value: "sum" }, { key: "role", value: "math" }], edges: ["cmd:sum", "role:math"], canonical: "cmd:sum,role:math" });
  });

  it.each([
    ["", "empty"],
    ["role", '"role" is not key:value'],
    ["role:", 'value "" of role'],
    [":math", 'key ""'],
    ["role:math,", '"" is not key:value'],
    ["role:ma th", 'value "ma th"'],
    ["role:math,role:physics", 'key "role" appears twice'],
    ["role:*", 'value "*"'],
    [Array.from({ length: 33 }, (_, i) => `k${i}:v`).join(","), "more than 32 pairs"],
  ])("refuses %j with a typed error saying why", (text, why) => {
    let thrown: unknown;
    try {
      parsePattern(text);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(PatternError);
    expect(RonyError.is(thrown, ErrorCode.INVALID_ARGUMENT)).toBe(true);
    expect((thrown as PatternError).message).toContain(why);
    expect((thrown as PatternError).items).toBe(text);
  });
});
