// Which replica set owns each slot, as the cluster's nodes have learned it: from the slots every
// node announces in the registry, and from MOVED answers (SlotElsewhereError naming an owner).
// The authority is each replica set's replicated slot table; this map is a routing hint built from
// its claims, like Redis Cluster's view of configEpochs:
//   - per slot, the claim with the highest epoch wins;
//   - a claim at a lower epoch than the slot's is stale and changes nothing;
//   - two replica sets claiming one slot at the same epoch is a conflict: the slot keeps its
//     previous owner and the claim is reported (CONFLICTING_SLOTS).
// Claims only ever add: a node leaving the registry does not un-own its set's slots (the data is
// still there, and the set may come back); a set gives slots away only by another set claiming
// them at a higher epoch.
import { RegistryError } from "../registry/errors.js";
import type { NodeAnnouncement } from "../registry/types.js";
import { SLOT_COUNT } from "./slots/slot-of.js";
import { SlotRanges } from "./slots/slot-ranges.js";

export interface SlotClaim {
  /** The claiming replica set (> 0). */
  readonly replicaSet: number;
  readonly slots: SlotRanges;
  readonly epoch: number;
  /** Who made the claim (a node id, or "moved" for an answer), for error messages. */
  readonly source: string;
}

export interface SlotOwner {
  readonly replicaSet: number;
  readonly epoch: number;
}

/** The map as plain JSON, for status pages and clients: ranges of slots with their owner. */
export interface SlotMapSnapshot {
  /** The highest epoch in the map. */
  readonly epoch: number;
  /** [first, last, replicaSet], sorted by first, inclusive; slots without an owner are left out. */
  readonly ranges: readonly (readonly [first: number, last: number, replicaSet: number])[];
}

export interface MergeResult {
  /** Slots whose owner or epoch changed. */
  readonly changed: number;
  /** Set when the claim conflicted with another set's claim at the same epoch. */
  readonly conflict: RegistryError | undefined;
}

export class SlotMap {
  /** 0: no owner known (replica set ids are > 0). */
  readonly #owner = new Uint32Array(SLOT_COUNT);
  readonly #epoch = new Float64Array(SLOT_COUNT);
  #highest = 0;

  /** The highest epoch any claim carried. */
  get epoch(): number {
    return this.#highest;
  }

  ownerOf(slot: number): SlotOwner | undefined {
    const replicaSet = this.#owner[slot];
    return replicaSet === undefined || replicaSet === 0 ? undefined : { replicaSet, epoch: this.#epoch[slot]! };
  }

  merge(claim: SlotClaim): MergeResult {
    if (!Number.isSafeInteger(claim.replicaSet) || claim.replicaSet <= 0 || claim.replicaSet > 0xffff_ffff) {
      throw new RangeError(`replica set ${claim.replicaSet} is not an integer in 1..2^32-1`);
    }
    let changed = 0;
    const conflicting: number[] = [];
    for (const [first, last] of claim.slots.ranges) {
      for (let slot = first; slot <= last; slot++) {
        const owner = this.#owner[slot]!;
        const epoch = this.#epoch[slot]!;
        if (owner === 0 || claim.epoch > epoch) {
          this.#owner[slot] = claim.replicaSet;
          this.#epoch[slot] = claim.epoch;
          changed++;
        } else if (claim.epoch === epoch && owner !== claim.replicaSet) {
          conflicting.push(slot);
        }
      }
    }
    if (changed > 0) this.#highest = Math.max(this.#highest, claim.epoch);
    return { changed, conflict: conflicting.length === 0 ? undefined : conflictError(claim, SlotRanges.of(conflicting), this.#owner) };
  }

  /** The slots each replica set owns. */
  owners(): Map<number, SlotRanges> {
    const slots = new Map<number, number[]>();
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const owner = this.#owner[slot]!;
      if (owner === 0) continue;
      let list = slots.get(owner);
      if (list === undefined) slots.set(owner, (list = []));
      list.push(slot);
    }
    return new Map([...slots].sort(([a], [b]) => a - b).map(([set, list]) => [set, SlotRanges.of(list)]));
  }

  snapshot(): SlotMapSnapshot {
    const ranges: [number, number, number][] = [];
    for (let slot = 0; slot < SLOT_COUNT; slot++) {
      const owner = this.#owner[slot]!;
      if (owner === 0) continue;
      const previous = ranges[ranges.length - 1];
      if (previous !== undefined && previous[2] === owner && previous[1] === slot - 1) previous[1] = slot;
      else ranges.push([slot, slot, owner]);
    }
    return { epoch: this.#highest, ranges };
  }
}

function conflictError(claim: SlotClaim, slots: SlotRanges, owner: Uint32Array): RegistryError {
  const holders = [...new Set([...slots.slots()].map((s) => owner[s]!))].join(", ");
  return new RegistryError(
    "CONFLICTING_SLOTS",
    `${claim.source} claims slots ${abbreviate(slots.toString())} for replica set ${claim.replicaSet} at epoch ${claim.epoch}, the epoch replica set ${holders} holds them at; they stay with ${holders}`,
    claim.source,
  );
}

function abbreviate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * The claim an announcement makes, or undefined when it claims nothing (no slots, or a node outside
 * any replica set). Slots that are not ranges of [0, 16384), or claimed by a node whose replicaSet
 * is not a positive integer, are a MALFORMED_ENTRY.
 */
export function claimOf(node: NodeAnnouncement): SlotClaim | undefined {
  if (node.slots === "") return undefined;
  const replicaSet = Number(node.replicaSet);
  if (!/^[1-9]\d{0,9}$/.test(node.replicaSet) || replicaSet > 0xffff_ffff) {
    throw new RegistryError("MALFORMED_ENTRY", `registry entry ${node.id}: claims slots for replica set "${node.replicaSet}", which is not a number in 1..2^32-1`, node.id);
  }
  let slots: SlotRanges;
  try {
    slots = SlotRanges.parse(node.slots);
  } catch (e) {
    throw new RegistryError("MALFORMED_ENTRY", `registry entry ${node.id}: slots: ${(e as Error).message}`, node.id);
  }
  return { replicaSet, slots, epoch: node.slotEpoch, source: node.id };
}
