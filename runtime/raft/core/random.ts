// The core's only randomness (election timeouts) comes from an injected source, so a seed replays a run.

export interface RandomSource {
  /** An integer in [0, n). */
  intn(n: number): number;
}

/** mulberry32: small, fast, and good enough for timeouts and fault injection. */
export const seededRandom = (seed: number): RandomSource & { next(): number } => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, intn: (n: number) => Math.floor(next() * n) };
};
