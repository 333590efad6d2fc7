// A set of slots written as ranges, the one text form used in options, the Raft slot table, the
// registry and the CLI: "0-8191,9000,9002-9010" — inclusive ranges, sorted, merged, no spaces;
// "" is no slot. Parsing accepts any order, overlaps and spaces after commas, and always yields
// the canonical form, so two sets are equal exactly when their texts are.
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { SLOT_COUNT } from "./slot-of.js";

/** First and last slot of a range, inclusive. */
export type SlotRange = readonly [first: number, last: number];

// The longest canonical text is 8192 single slots of at most 5 digits; anything much longer is
// not a slot set someone wrote, and parsing it would only cost memory.
const MAX_TEXT_LENGTH = 65_536;
const ITEM = /^(\d{1,5})(?:-(\d{1,5}))?$/;

export class SlotRanges {
  static readonly NONE = new SlotRanges([]);
  static readonly ALL = new SlotRanges([[0, SLOT_COUNT - 1]]);

  /** Sorted, disjoint, non-adjacent ranges. */
  readonly ranges: readonly SlotRange[];
  /** How many slots the set holds. */
  readonly count: number;

  private constructor(merged: readonly SlotRange[]) {
    this.ranges = merged;
    this.count = merged.reduce((sum, [first, last]) => sum + last - first + 1, 0);
  }

  /** Parses "0-8191,9000"; a bad item, a reversed range or a slot ≥ 16384 is an INVALID_ARGUMENT. */
  static parse(text: string): SlotRanges {
    if (text.length > MAX_TEXT_LENGTH) throw invalid(`a slot ranges text of ${text.length} characters is too long (at most ${MAX_TEXT_LENGTH})`);
    if (text.trim() === "") return SlotRanges.NONE;
    const ranges: SlotRange[] = [];
    for (const raw of text.split(",")) {
      const item = raw.trim();
      const match = ITEM.exec(item);
      if (!match) throw invalid(`"${item.slice(0, 40)}" is not a slot or a range of slots like 0-8191`);
      const first = Number(match[1]);
      const last = match[2] === undefined ? first : Number(match[2]);
      if (last >= SLOT_COUNT || first >= SLOT_COUNT) throw invalid(`slot ${Math.max(first, last)} is out of range: slots are 0 to ${SLOT_COUNT - 1}`);
      if (first > last) throw invalid(`the range ${item} is reversed: write ${last}-${first}`);
      ranges.push([first, last]);
    }
    return SlotRanges.fromRanges(ranges);
  }

  /** The set of the given slots (each an integer in [0, 16384)). */
  static of(slots: Iterable<number>): SlotRanges {
    const ranges: SlotRange[] = [];
    for (const slot of slots) {
      if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) throw invalid(`${slot} is not a slot: slots are 0 to ${SLOT_COUNT - 1}`);
      ranges.push([slot, slot]);
    }
    return SlotRanges.fromRanges(ranges);
  }

  private static fromRanges(ranges: SlotRange[]): SlotRanges {
    ranges.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [first, last] of ranges) {
      const previous = merged[merged.length - 1];
      if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
      else merged.push([first, last]);
    }
    return merged.length === 0 ? SlotRanges.NONE : new SlotRanges(merged);
  }

  get isEmpty(): boolean {
    return this.count === 0;
  }

  has(slot: number): boolean {
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [first, last] = this.ranges[middle]!;
      if (slot < first) high = middle - 1;
      else if (slot > last) low = middle + 1;
      else return true;
    }
    return false;
  }

  union(other: SlotRanges): SlotRanges {
    return SlotRanges.fromRanges([...this.ranges, ...other.ranges]);
  }

  intersect(other: SlotRanges): SlotRanges {
    const out: SlotRange[] = [];
    let i = 0;
    let j = 0;
    while (i < this.ranges.length && j < other.ranges.length) {
      const [a0, a1] = this.ranges[i]!;
      const [b0, b1] = other.ranges[j]!;
      const first = Math.max(a0, b0);
      const last = Math.min(a1, b1);
      if (first <= last) out.push([first, last]);
      if (a1 < b1) i++;
      else j++;
    }
    return SlotRanges.fromRanges(out);
  }

  minus(other: SlotRanges): SlotRanges {
    const out: SlotRange[] = [];
    let j = 0;
    for (const [first, last] of this.ranges) {
      let start = first;
      while (j < other.ranges.length && other.ranges[j]![1] < start) j++;
      let k = j;
      while (start <= last && k < other.ranges.length && other.ranges[k]![0] <= last) {
        const [b0, b1] = other.ranges[k]!;
        if (b0 > start) out.push([start, b0 - 1]);
        start = Math.max(start, b1 + 1);
        k++;
      }
      if (start <= last) out.push([start, last]);
    }
    return SlotRanges.fromRanges(out);
  }

  /** Whether every slot of `other` is in this set. */
  covers(other: SlotRanges): boolean {
    return other.minus(this).isEmpty;
  }

  equals(other: SlotRanges): boolean {
    return this.toString() === other.toString();
  }

  *slots(): IterableIterator<number> {
    for (const [first, last] of this.ranges) for (let slot = first; slot <= last; slot++) yield slot;
  }

  /** The canonical text: "0-8191,9000"; "" when empty. */
  toString(): string {
    return this.ranges.map(([first, last]) => (first === last ? `${first}` : `${first}-${last}`)).join(",");
  }
}

function invalid(description: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, description, "slots");
}
