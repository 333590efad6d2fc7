// Calls per second from a running total, computed when asked: the call path only increments a
// number (EdgeServer.callsTaken, ReplicaNode.callsRun), no timer runs. The figure is the average
// since the newest sample at least a second old: over 1 to 1.25 s when read every second or more
// often (the status page polls every second), over the whole gap when read more rarely.

/** One sample per this many milliseconds at most, however often the rate is read. */
const SAMPLE_EVERY_MS = 250;

export class CallRate {
  readonly #samples: { atMs: number; total: number }[];

  constructor(
    private readonly total: () => number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.#samples = [{ atMs: now(), total: total() }];
  }

  /** Calls per second over the newest window of at least one second (since creation, if younger). */
  perSecond(): number {
    const atMs = this.now();
    const total = this.total();
    const samples = this.#samples;
    // Keep one sample at least a second old (the base), and the younger ones that will replace it.
    while (samples.length > 1 && atMs - samples[1]!.atMs >= 1_000) samples.shift();
    const base = samples[0]!;
    if (atMs - samples[samples.length - 1]!.atMs >= SAMPLE_EVERY_MS) samples.push({ atMs, total });
    const seconds = (atMs - base.atMs) / 1_000;
    return seconds <= 0 ? 0 : Math.round(((total - base.total) / seconds) * 10) / 10;
  }
}
