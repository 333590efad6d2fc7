import type { Redis } from "ioredis";

export interface Backoff {
  /** First wait after a failure; default 100 ms. */
  initialMs?: number;
  /** Longest wait; default 5000 ms. */
  maxMs?: number;
}

/**
 * One replica's client and health. A failed or slow replica is skipped until its back-off
 * ends, then the next call probes it again; the wait doubles with each failure in a row.
 */
export class Replica {
  private failuresInARow = 0;
  private retryAt = 0;
  lastError = "";
  /** Told when `up` flips (the client connects or drops, a call fails or succeeds after failures). */
  onChange: ((replica: Replica) => void) | undefined = undefined;
  private wasUp = false;

  constructor(
    readonly address: string,
    readonly client: Redis,
    private readonly backoff: Required<Backoff>,
  ) {
    client.on("ready", () => this.check());
    client.on("close", () => this.check());
  }

  private check(): void {
    const up = this.up;
    if (up === this.wasUp) return;
    this.wasUp = up;
    this.onChange?.(this);
  }

  /** Whether a call should be sent now. */
  available(now: number): boolean {
    return now >= this.retryAt && this.client.status === "ready";
  }

  /** Down while in back-off or while its client is disconnected. */
  get up(): boolean {
    return this.failuresInARow === 0 && this.client.status === "ready";
  }

  /** When the next probe is allowed (epoch ms; 0 when up). */
  get retryAfter(): number {
    return this.retryAt;
  }

  markUp(): void {
    this.failuresInARow = 0;
    this.retryAt = 0;
    if (!this.wasUp) this.check();
  }

  markDown(now: number, reason: string): void {
    this.failuresInARow++;
    const wait = Math.min(this.backoff.initialMs * 2 ** (this.failuresInARow - 1), this.backoff.maxMs);
    this.retryAt = now + wait;
    this.lastError = reason;
    if (this.wasUp) this.check();
  }
}
