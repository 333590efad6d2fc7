/** Reconnect delays: exponential with jitter, so a restarted server is not hit by every client at once. */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** 0..1: each delay is moved by up to ±jitter of itself. */
  jitter: number;
}

export const defaultBackoff: BackoffOptions = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 };

export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(o.maxMs, o.initialMs * o.factor ** attempt);
  return Math.max(0, Math.round(base * (1 + o.jitter * (2 * random() - 1))));
}
