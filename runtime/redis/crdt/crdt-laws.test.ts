import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HybridLogicalClock, STAMP_LENGTH, encodeStamp } from "./hlc.js";
import { encodeDelete, encodeSet, lwwEntries, mergeLww, type LwwState } from "./lww-map-state.js";
import { elementsOf, entryOf, mergeOrSets, sameOrSet, type OrSetState } from "./or-set-state.js";
import { counterValue, mergeTotals, type CounterTotals } from "./pn-counter-state.js";

const actor = fc.constantFrom("a", "b", "c", "d");
const totals: fc.Arbitrary<CounterTotals> = fc
  .array(fc.tuple(fc.constantFrom("p:", "n:"), actor, fc.nat(1_000)))
  .map((list) => mergeTotals(new Map(), new Map(list.map(([side, a, n]) => [side + a, n]))));

const tag = fc.constantFrom("0000000000000001", "0000000000000002", "0000000000000003", "0000000000000004");
const entry = fc.tuple(tag, fc.constantFrom("x", "y", "z")).map(([t, e]) => entryOf(t, e));
const orSet: fc.Arbitrary<OrSetState> = fc
  .tuple(fc.array(entry), fc.array(entry))
  .map(([adds, removed]) => mergeOrSets({ adds: new Set(adds), removed: new Set(removed) }, { adds: new Set(), removed: new Set() }));

const stamp = fc.tuple(fc.nat(50), fc.nat(3), fc.constantFrom("0000000a", "0000000b")).map(([wall, logical, a]) => encodeStamp({ wall, logical }, a));
// A stamp belongs to one write, so the value is derived from it.
const lwwEntry = fc.tuple(stamp, fc.boolean()).map(([s, deleted]) => (deleted ? encodeDelete(s) : encodeSet(s, `v${s}`)));
const lww: fc.Arbitrary<LwwState> = fc
  .array(fc.tuple(fc.constantFrom("f1", "f2", "f3"), lwwEntry))
  .map((list) => list.reduce((state, [f, e]) => mergeLww(state, new Map([[f, e]])), new Map<string, string>()));

const sortedMap = (m: ReadonlyMap<string, unknown>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));

describe("CRDT merge laws (fast-check)", () => {
  it("PN-counter totals: commutative, associative, idempotent", () => {
    fc.assert(
      fc.property(totals, totals, totals, (a, b, c) => {
        expect(sortedMap(mergeTotals(a, b))).toEqual(sortedMap(mergeTotals(b, a)));
        expect(sortedMap(mergeTotals(mergeTotals(a, b), c))).toEqual(sortedMap(mergeTotals(a, mergeTotals(b, c))));
        expect(sortedMap(mergeTotals(a, a))).toEqual(sortedMap(a));
      }),
    );
  });

  it("OR-set: commutative, associative, idempotent", () => {
    fc.assert(
      fc.property(orSet, orSet, orSet, (a, b, c) => {
        expect(sameOrSet(mergeOrSets(a, b), mergeOrSets(b, a))).toBe(true);
        expect(sameOrSet(mergeOrSets(mergeOrSets(a, b), c), mergeOrSets(a, mergeOrSets(b, c)))).toBe(true);
        expect(sameOrSet(mergeOrSets(a, a), a)).toBe(true);
      }),
    );
  });

  it("LWW map: commutative, associative, idempotent", () => {
    fc.assert(
      fc.property(lww, lww, lww, (a, b, c) => {
        expect(sortedMap(mergeLww(a, b))).toEqual(sortedMap(mergeLww(b, a)));
        expect(sortedMap(mergeLww(mergeLww(a, b), c))).toEqual(sortedMap(mergeLww(a, mergeLww(b, c))));
        expect(sortedMap(mergeLww(a, a))).toEqual(sortedMap(a));
      }),
    );
  });

  it("PN-counter: replicas that each saw any subset of the writes merge to the true value", () => {
    // Each op is (actor, ±amount) and reaches a random non-empty subset of 3 replicas; a write
    // sends the actor's running total, so re-sent or reordered writes never count twice.
    // A final flush of each actor's totals to some replica stands for "the last write succeeded".
    const reach = fc.subarray([0, 1, 2], { minLength: 1 });
    fc.assert(
      fc.property(fc.array(fc.tuple(actor, fc.integer({ min: -20, max: 20 }), reach, fc.boolean()), { maxLength: 40 }), reach, (ops, flushTo) => {
        let replicas: Map<string, number>[] = [new Map(), new Map(), new Map()];
        const running = new Map<string, number>();
        let truth = 0;
        for (const [a, amount, reached, duplicated] of ops) {
          const field = (amount >= 0 ? "p:" : "n:") + a;
          const total = (running.get(field) ?? 0) + Math.abs(amount);
          running.set(field, total);
          truth += amount;
          const write = new Map([[field, total]]);
          replicas = replicas.map((r, i) => (reached.includes(i) ? mergeTotals(r, write) : r));
          if (duplicated) replicas = replicas.map((r, i) => (reached.includes(i) ? mergeTotals(r, write) : r));
        }
        replicas = replicas.map((r, i) => (flushTo.includes(i) ? mergeTotals(r, running) : r));
        expect(counterValue(replicas.reduce((x, y) => mergeTotals(x, y)))).toBe(truth);
      }),
    );
  });

  it("OR-set: an add concurrent with a remove wins; an observed add is removed everywhere", () => {
    const base = { adds: new Set([entryOf("0000000000000001", "x")]), removed: new Set<string>() };
    const removedHere = { adds: new Set<string>(), removed: new Set([entryOf("0000000000000001", "x")]) };
    const addedThere = mergeOrSets(base, { adds: new Set([entryOf("0000000000000002", "x")]), removed: new Set() });
    expect(elementsOf(mergeOrSets(base, removedHere))).toEqual([]);
    expect(elementsOf(mergeOrSets(addedThere, removedHere))).toEqual(["x"]);
  });

  it("LWW map: the later stamp wins whatever the merge order; tombstones hide values", () => {
    const early = new Map([["f", encodeSet(encodeStamp({ wall: 1, logical: 0 }, "0000000a"), "old")]]);
    const late = new Map([["f", encodeDelete(encodeStamp({ wall: 1, logical: 1 }, "0000000a"))]]);
    expect(lwwEntries(mergeLww(early, late))).toEqual({});
    expect(lwwEntries(mergeLww(late, early))).toEqual({});
  });
});

describe("HybridLogicalClock", () => {
  it("issues strictly increasing stamps when the wall clock stalls or steps back", () => {
    let wall = 1_000;
    const hlc = new HybridLogicalClock("0000000a", () => wall);
    const a = hlc.now();
    const b = hlc.now();
    wall = 900;
    const c = hlc.now();
    wall = 2_000;
    const d = hlc.now();
    expect([a, b, c, d]).toEqual([...new Set([a, b, c, d])].sort());
    expect(a.length).toBe(STAMP_LENGTH);
  });

  it("orders its next stamp after one it observed from a writer with a faster clock", () => {
    const slow = new HybridLogicalClock("0000000a", () => 1_000);
    const fast = new HybridLogicalClock("0000000b", () => 5_000);
    const theirs = fast.now();
    slow.observe(theirs);
    expect(slow.now() > theirs).toBe(true);
  });

  it("rejects an actor that would break fixed-width stamps", () => {
    expect(() => new HybridLogicalClock("xyz")).toThrow(RangeError);
  });
});
