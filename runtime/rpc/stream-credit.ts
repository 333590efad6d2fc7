// The sending end's credit: how many data frames the receiver will still accept. A sender
// awaits take() before each frame; it resolves at once while credit lasts and otherwise when
// the receiver grants more, or rejects when the stream ends.

export class StreamCredit {
  #available: number;
  #waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  #error: unknown = undefined;
  #failed = false;

  constructor(initial = 0) {
    this.#available = initial;
  }

  get available(): number {
    return this.#available;
  }

  /** Resolves once one frame may be sent (and counts it as sent). */
  take(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#error);
    if (this.#available > 0) {
      this.#available--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      this.#waiter = {
        resolve: () => {
          this.#available--;
          resolve();
        },
        reject,
      };
    });
  }

  grant(n: number): void {
    if (this.#failed || n <= 0) return;
    this.#available += n;
    const w = this.#waiter;
    if (w !== undefined) {
      this.#waiter = undefined;
      w.resolve();
    }
  }

  /** Wakes a waiting sender with `error`; later takes reject with it too. */
  fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#error = error;
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.reject(error);
  }
}

/**
 * When a reader has taken `taken` messages since the last grant, whether to grant them back now:
 * at half the window, so the sender rarely waits and a grant costs one frame per half window.
 */
export function grantDue(taken: number, window: number): boolean {
  return taken >= Math.max(1, window >>> 1);
}
