import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RegistryError, type NodeAnnouncement } from "../registry/index.js";
import { SlotMap, claimOf, type SlotClaim } from "./slot-map.js";
import { SLOT_COUNT } from "./slots/slot-of.js";
import { SlotRanges } from "./slots/slot-ranges.js";

// Small slot numbers so that random claims overlap often.
const slotsArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 })), { maxLength: 4 }).map((pairs) =>
  SlotRanges.parse(pairs.map(([first, length]) => `${first}-${Math.min(SLOT_COUNT - 1, first + length)}`).join(",")),
);

/** Claims where no two replica sets share an epoch: conflicts are impossible. */
const conflictFree = fc
  .array(fc.record({ replicaSet: fc.integer({ min: 1, max: 5 }), round: fc.integer({ min: 0, max: 6 }), slots: slotsArb }), { maxLength: 12 })
  .map((claims) => claims.map((c): SlotClaim => ({ replicaSet: c.replicaSet, slots: c.slots, epoch: c.round * 5 + c.replicaSet, source: `n${c.replicaSet}` })));

function mapOf(claims: readonly SlotClaim[]): SlotMap {
  const map = new SlotMap();
  for (const c of claims) map.merge(c);
  return map;
}

describe("SlotMap", () => {
  it("does not depend on the order claims arrive in", () => {
    fc.assert(
      fc.property(conflictFree.chain((claims) => fc.tuple(fc.constant(claims), fc.shuffledSubarray(claims, { minLength: claims.length, maxLength: claims.length }))), ([claims, shuffled]) => {
        expect(mapOf(shuffled).snapshot()).toEqual(mapOf(claims).snapshot());
      }),
    );
  });

  it("gives each slot to the claim with the highest epoch", () => {
    fc.assert(
      fc.property(conflictFree, (claims) => {
        const map = mapOf(claims);
        for (let slot = 0; slot <= 341; slot++) {
          const best = claims.filter((c) => c.slots.has(slot)).sort((a, b) => b.epoch - a.epoch)[0];
          expect(map.ownerOf(slot)).toEqual(best === undefined ? undefined : { replicaSet: best.replicaSet, epoch: best.epoch });
        }
      }),
    );
  });

  it("is idempotent: claims heard again change nothing", () => {
    fc.assert(
      fc.property(conflictFree, (claims) => {
        const map = mapOf(claims);
        const before = map.snapshot();
        for (const c of claims) expect(map.merge(c)).toEqual({ changed: 0, conflict: undefined });
        expect(map.snapshot()).toEqual(before);
      }),
    );
  });

  it("ignores a stale claim: one below the epoch of every slot it names", () => {
    fc.assert(
      fc.property(conflictFree, fc.integer({ min: 1, max: 5 }), slotsArb, (claims, replicaSet, slots) => {
        const map = mapOf(claims);
        const floor = Math.min(...[...slots.slots()].map((s) => map.ownerOf(s)?.epoch ?? 0));
        fc.pre(!slots.isEmpty && floor > 0 && [...slots.slots()].every((s) => map.ownerOf(s) !== undefined));
        const before = map.snapshot();
        expect(map.merge({ replicaSet, slots, epoch: floor - 1, source: "late" }).changed).toBe(0);
        expect(map.snapshot()).toEqual(before);
      }),
    );
  });

  it("reports two replica sets claiming a slot at one epoch, whatever the order, and keeps the slot's previous owner", () => {
    fc.assert(
      fc.property(slotsArb, slotsArb, fc.integer({ min: 1, max: 9 }), fc.boolean(), (a, b, epoch, aFirst) => {
        const overlap = a.intersect(b);
        const claims: SlotClaim[] = [
          { replicaSet: 1, slots: a, epoch, source: "1:1" },
          { replicaSet: 2, slots: b, epoch, source: "2:1" },
        ];
        if (!aFirst) claims.reverse();
        const map = new SlotMap();
        const conflicts = claims.map((c) => map.merge(c).conflict).filter((e) => e !== undefined);
        if (overlap.isEmpty) {
          expect(conflicts).toEqual([]);
          return;
        }
        expect(conflicts).toHaveLength(1);
        expect(RegistryError.is(conflicts[0], "CONFLICTING_SLOTS")).toBe(true);
        for (const slot of overlap.slots()) expect(map.ownerOf(slot)?.replicaSet).toBe(aFirst ? 1 : 2);
      }),
    );
  });

  it("a higher epoch takes slots from their owner (a move), and the owners and snapshot say so", () => {
    const map = new SlotMap();
    map.merge({ replicaSet: 1, slots: SlotRanges.parse("0-16383"), epoch: 1, source: "1:1" });
    map.merge({ replicaSet: 2, slots: SlotRanges.parse("100-199"), epoch: 2, source: "2:1" });
    expect([...map.owners()].map(([set, r]) => [set, r.toString()])).toEqual([[1, "0-99,200-16383"], [2, "100-199"]]);
    expect(map.snapshot()).toEqual({ epoch: 2, ranges: [[0, 99, 1], [100, 199, 2], [200, 16383, 1]] });
    const conflict = map.merge({ replicaSet: 3, slots: SlotRanges.parse("150-250"), epoch: 2, source: "3:1" }).conflict;
    expect(conflict?.message).toMatch(/3:1 claims slots 150-199 for replica set 3 at epoch 2, the epoch replica set 2 holds them at; they stay with 2/);
    expect(map.ownerOf(150)).toEqual({ replicaSet: 2, epoch: 2 });
    expect(map.ownerOf(220)).toEqual({ replicaSet: 3, epoch: 2 }); // not in conflict: epoch 2 beats 1
  });
});

describe("claimOf", () => {
  const node: NodeAnnouncement = { id: "2:1", replicaSet: "2", edgeAddress: "127.0.0.1:1", tunnelAddress: "", role: "leader", leaderTerm: 1, patterns: [], slots: "0-99", slotEpoch: 3 };
  const codeOf = (n: NodeAnnouncement) => {
    try {
      claimOf(n);
      return "none";
    } catch (e) {
      return RegistryError.is(e) ? e.code : String(e);
    }
  };

  it("reads an announcement's slots as a claim of its replica set", () => {
    expect(claimOf(node)).toEqual({ replicaSet: 2, slots: SlotRanges.parse("0-99"), epoch: 3, source: "2:1" });
    expect(claimOf({ ...node, slots: "", slotEpoch: 0 })).toBeUndefined();
  });

  it.each([
    ["a slot past 16383", { ...node, slots: "16384" }],
    ["a reversed range", { ...node, slots: "9-1" }],
    ["a replica set that is not a number", { ...node, replicaSet: "rs1" }],
    ["replica set 0", { ...node, replicaSet: "0" }],
  ])("refuses %s as MALFORMED_ENTRY", (_, bad) => {
    expect(codeOf(bad)).toBe("MALFORMED_ENTRY");
  });
});
