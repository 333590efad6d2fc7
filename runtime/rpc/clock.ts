// Time and randomness for handlers. A replicated call runs on every replica of a replica set, in
// log order, so it must compute the same thing everywhere: its context carries the time and a
// random seed fixed when the call entered the log. Elsewhere this is the system clock.
import type { CallContext } from "./handler.js";

export interface CallClock {
  /** The call's time: the leader's clock when the call entered the log, on a replica set. */
  now(): Date;
  /** A number in [0, 1): from the call's seed on a replica set, the same on every replica. */
  random(): number;
}

const systemClock: CallClock = { now: () => new Date(), random: Math.random };

/** The clock a handler must use instead of Date.now() and Math.random(). */
export function clockOf(ctx: CallContext): CallClock {
  return (ctx as { readonly clock?: CallClock }).clock ?? systemClock;
}
