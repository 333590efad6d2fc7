import { describe, expect, it } from "vitest";
import type { KeyedOp, RegisterOp } from "./linearizability.js";
import { checkKv, checkRegister } from "./linearizability.js";

const put = (value: string, call: number, ret: number, client = 0): RegisterOp => ({ kind: "put", value, call, ret, client });
const get = (value: string | undefined, call: number, ret: number, client = 1): RegisterOp => ({ kind: "get", value, call, ret, client });

describe("linearizability checker", () => {
  it("accepts a sequential history", () => {
    expect(checkRegister([put("a", 0, 1), get("a", 2, 3), put("b", 4, 5), get("b", 6, 7)])).toBe(true);
  });

  it("rejects a stale read after a completed write", () => {
    expect(checkRegister([put("a", 0, 1), put("b", 2, 3), get("a", 4, 5)])).toBe(false);
  });

  it("accepts either value for a read concurrent with a write", () => {
    expect(checkRegister([put("a", 0, 1), put("b", 2, 10), get("a", 3, 4)])).toBe(true);
    expect(checkRegister([put("a", 0, 1), put("b", 2, 10), get("b", 3, 4)])).toBe(true);
  });

  it("rejects a read that flips back (new then old value) after both writes returned", () => {
    expect(checkRegister([put("a", 0, 1), put("b", 0, 2), get("b", 3, 4), get("a", 5, 6)])).toBe(false);
  });

  it("rejects reading a value never written", () => {
    expect(checkRegister([put("a", 0, 1), get("z", 2, 3)])).toBe(false);
  });

  it("lets an unknown-outcome write take effect late, or never", () => {
    const unknown = put("x", 0, Infinity);
    expect(checkRegister([unknown, get(undefined, 1, 2), get("x", 3, 4)])).toBe(true);
    expect(checkRegister([unknown, get(undefined, 1, 2), get(undefined, 3, 4)])).toBe(true);
    // but once seen it cannot vanish
    expect(checkRegister([unknown, get("x", 1, 2), get(undefined, 3, 4)])).toBe(false);
  });

  it("reports the offending key only", () => {
    const ops: KeyedOp[] = [
      { ...put("1", 0, 1), key: "good" },
      { ...get("1", 2, 3), key: "good" },
      { ...put("1", 0, 1), key: "bad" },
      { ...get(undefined, 2, 3), key: "bad" },
    ];
    expect(checkKv(ops)).toEqual(["bad"]);
  });

  it("handles wide concurrency through memoization", () => {
    const ops: RegisterOp[] = [];
    for (let i = 0; i < 10; i++) ops.push(put(`v${i}`, 0, 100, i));
    ops.push(get("v7", 101, 102));
    expect(checkRegister(ops)).toBe(true);
    ops.push(get("v3", 103, 104));
    expect(checkRegister(ops)).toBe(false);
  });
});
