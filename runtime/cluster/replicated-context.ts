// What a replicated handler sees: the call, its headers and a clock fixed by the log entry, so
// that every replica computes the same result. `models` is added by withModels as elsewhere.
import { seededRandom } from "../raft/core/index.js";
import type { AnyMethod, CallClock, CallContext } from "../rpc/index.js";

export class ReplicatedContext implements CallContext {
  constructor(
    readonly method: AnyMethod,
    readonly headers: Readonly<Record<string, string>>,
    /** The log index of this call (a write), or the applied index a read was served at. */
    readonly logIndex: number,
    /** Use it (through clockOf(ctx)) instead of Date.now() and Math.random(). */
    readonly clock: CallClock,
  ) {}
}

/** The clock of a call that entered the log at `timeMs` with `seed`: the same on every replica. */
export function entryClock(timeMs: number, seed: number): CallClock {
  const random = seededRandom(seed);
  return { now: () => new Date(timeMs), random: () => random.next() };
}

/** Reads run on one node only: they may take its clock. */
export const localClock: CallClock = { now: () => new Date(), random: Math.random };
