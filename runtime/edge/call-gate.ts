// Counts calls in flight across the server, so a graceful shutdown can wait for them, and the
// calls taken since start (one increment per call: the cluster status page's calls per second).

export class CallGate {
  #active = 0;
  #taken = 0;
  #closed = false;
  #waiters: (() => void)[] = [];

  get active(): number {
    return this.#active;
  }

  /** Calls that entered since the server was built. */
  get taken(): number {
    return this.#taken;
  }

  /** True once shutdown began: new calls are refused with UNAVAILABLE. */
  get closed(): boolean {
    return this.#closed;
  }

  enter(): void {
    this.#active++;
    this.#taken++;
  }

  leave(): void {
    if (--this.#active === 0 && this.#waiters.length > 0) {
      for (const w of this.#waiters.splice(0)) w();
    }
  }

  close(): void {
    this.#closed = true;
  }

  /** Resolves when no call is in flight. */
  idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}
