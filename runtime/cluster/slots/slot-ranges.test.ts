import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { SLOT_COUNT } from "./slot-of.js";
import { SlotRanges } from "./slot-ranges.js";

const slot = fc.integer({ min: 0, max: SLOT_COUNT - 1 });
const slotSet = fc.array(slot, { maxLength: 60 }).map((slots) => new Set(slots));
const rangeText = fc.array(fc.tuple(slot, fc.integer({ min: 0, max: 300 })), { maxLength: 20 })
  .map((pairs) => pairs.map(([first, length]) => {
    const last = Math.min(SLOT_COUNT - 1, first + length);
    return first === last ? `${first}` : `${first}-${last}`;
  }).join(","));

function slotsOf(ranges: SlotRanges): Set<number> {
  return new Set(ranges.slots());
}

function expectInvalid(text: string, message: RegExp): void {
  let thrown: unknown;
  try {
    SlotRanges.parse(text);
  } catch (error) {
    thrown = error;
  }
  expect(RonyError.is(thrown, ErrorCode.INVALID_ARGUMENT), `parse(${JSON.stringify(text)})`).toBe(true);
  expect((thrown as RonyError).items).toBe("slots");
  expect((thrown as RonyError).message).toMatch(message);
}

describe("SlotRanges", () => {
  it("parses and formats the canonical form", () => {
    const ranges = SlotRanges.parse("0-8191,9000,9002-9010");
    expect(ranges.toString()).toBe("0-8191,9000,9002-9010");
    expect(ranges.count).toBe(8192 + 1 + 9);
    expect(ranges.has(8191)).toBe(true);
    expect(ranges.has(8192)).toBe(false);
    expect(ranges.has(9001)).toBe(false);
    expect(SlotRanges.parse("").isEmpty).toBe(true);
    expect(SlotRanges.ALL.toString()).toBe("0-16383");
    expect(SlotRanges.ALL.count).toBe(SLOT_COUNT);
  });

  it("merges overlapping, adjacent and unsorted ranges and accepts spaces after commas", () => {
    expect(SlotRanges.parse("10-20, 5-9,15-30,31,40,40").toString()).toBe("5-31,40");
    expect(SlotRanges.parse("3,1,2").toString()).toBe("1-3");
  });

  it("format ∘ parse is the identity on canonical texts, and parse ∘ format on sets", () => {
    fc.assert(fc.property(rangeText, (text) => {
      const canonical = SlotRanges.parse(text).toString();
      return SlotRanges.parse(canonical).toString() === canonical;
    }));
    fc.assert(fc.property(slotSet, (slots) => {
      const ranges = SlotRanges.of(slots);
      const back = SlotRanges.parse(ranges.toString());
      return back.equals(ranges) && back.count === slots.size && [...slots].every((s) => back.has(s));
    }));
  });

  it("unites, intersects and subtracts as sets do", () => {
    fc.assert(fc.property(rangeText, rangeText, (aText, bText) => {
      const a = SlotRanges.parse(aText);
      const b = SlotRanges.parse(bText);
      const as = slotsOf(a);
      const bs = slotsOf(b);
      const union = new Set([...as, ...bs]);
      const both = [...as].filter((s) => bs.has(s));
      const onlyA = [...as].filter((s) => !bs.has(s));
      expect(a.union(b).equals(SlotRanges.of(union))).toBe(true);
      expect(a.intersect(b).equals(SlotRanges.of(both))).toBe(true);
      expect(a.minus(b).equals(SlotRanges.of(onlyA))).toBe(true);
      expect(a.union(b).covers(a)).toBe(true);
      expect(a.covers(b)).toBe([...bs].every((s) => as.has(s)));
    }));
  });

  it("refuses bad input with a clear INVALID_ARGUMENT", () => {
    expectInvalid("5-3", /reversed: write 3-5/);
    expectInvalid("16384", /slot 16384 is out of range/);
    expectInvalid("0-16384", /slot 16384 is out of range/);
    expectInvalid("a", /"a" is not a slot/);
    expectInvalid("1,,2", /"" is not a slot/);
    expectInvalid("-5", /not a slot/);
    expectInvalid("1-2-3", /not a slot/);
    expectInvalid("1.5", /not a slot/);
    expectInvalid("1".repeat(70_000), /too long/);
    expect(() => SlotRanges.of([SLOT_COUNT])).toThrow(/16384 is not a slot/);
    expect(() => SlotRanges.of([1.5])).toThrow(/not a slot/);
  });
});
