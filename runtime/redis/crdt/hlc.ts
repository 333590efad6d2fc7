/**
 * A hybrid logical clock: wall-clock milliseconds plus a counter that orders events within one
 * millisecond and keeps time moving forward when the wall clock stalls or steps back, or when
 * we have seen a later stamp from another writer. Stamps are fixed-width lowercase hex
 * (`wall(12) logical(6) actor(8)`), so comparing two stamps as strings compares them in time,
 * with the actor breaking ties — which is what the Lua scripts on the servers rely on.
 */
export const STAMP_LENGTH = 26;

export interface HlcTime {
  wall: number;
  logical: number;
}

export class HybridLogicalClock {
  private last: HlcTime = { wall: 0, logical: 0 };

  constructor(
    /** 8 hex digits that make this writer's stamps unique. */
    readonly actor: string,
    private readonly clock: () => number = Date.now,
  ) {
    if (!/^[0-9a-f]{8}$/.test(actor)) throw new RangeError(`HLC actor must be 8 lowercase hex digits, got ${JSON.stringify(actor)}`);
  }

  /** A stamp later than every stamp issued or observed so far. */
  now(): string {
    const physical = this.clock();
    if (physical > this.last.wall) this.last = { wall: physical, logical: 0 };
    else this.last = { wall: this.last.wall, logical: this.last.logical + 1 };
    return encodeStamp(this.last, this.actor);
  }

  /** Moves the clock past a stamp read from a replica, so our next write orders after it. */
  observe(stamp: string): void {
    const seen = decodeStamp(stamp);
    if (seen.wall > this.last.wall || (seen.wall === this.last.wall && seen.logical > this.last.logical)) {
      this.last = seen;
    }
  }
}

export function encodeStamp(time: HlcTime, actor: string): string {
  return time.wall.toString(16).padStart(12, "0") + time.logical.toString(16).padStart(6, "0") + actor;
}

export function decodeStamp(stamp: string): HlcTime {
  return { wall: parseInt(stamp.slice(0, 12), 16), logical: parseInt(stamp.slice(12, 18), 16) };
}
