import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clusterSlot } from "../../redis/hashing/cluster-slot.js";
import { SLOT_COUNT, slotOf } from "./slot-of.js";

describe("slotOf", () => {
  it("is Redis Cluster's CLUSTER KEYSLOT of the key text when it has no hash tag", () => {
    expect(slotOf("123456789")).toBe(0x31c3);
    expect(slotOf("foo")).toBe(12182);
    fc.assert(fc.property(fc.string().filter((s) => !s.includes("{")), (s) => slotOf(s) === clusterSlot(s)));
  });

  it("hashes integers by their decimal digits and bools as 1 or 0, whatever their JS type", () => {
    expect(slotOf(42)).toBe(slotOf("42"));
    expect(slotOf(42n)).toBe(slotOf("42"));
    expect(slotOf(true)).toBe(slotOf("1"));
    expect(slotOf(new TextEncoder().encode("foo"))).toBe(slotOf("foo"));
  });

  it("always lands in [0, 16384)", () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.bigInt(), fc.uint8Array()), (v) => {
      const s = slotOf(v);
      return Number.isInteger(s) && s >= 0 && s < SLOT_COUNT;
    }));
  });
});
