// Copies small byte runs into shared slabs instead of giving each its own ArrayBuffer.
// Under load, one ArrayBuffer per frame (ArrayBuffer.slice, or a small Uint8Array handed to uWS,
// which then needs its buffer materialized) cost the edge a malloc, a free on V8's sweeper and
// a backing-store registration per message: a quarter of its CPU in a profile of the echo.
// A slab is never rewritten: each copy is a view of bytes nobody else gets, so a view may be
// kept (a decoded `bytes` field is a view of its frame) for as long as anyone likes; the slab is
// freed when no view of it is left. The price: a view kept for long keeps its whole slab.

/** Bytes per slab; a run over `SLAB_BYTES / 8` gets a buffer of its own. */
export const SLAB_BYTES = 32 * 1024;
const LARGE = SLAB_BYTES / 8;

export class ByteSlab {
  #slab = new Uint8Array(SLAB_BYTES);
  #at = 0;

  /** `n` fresh bytes nobody else gets: a view into the current slab (or its own buffer when large). */
  take(n: number): Uint8Array {
    if (n > LARGE) return new Uint8Array(n);
    if (this.#at + n > SLAB_BYTES) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#at = 0;
    }
    const at = this.#at;
    this.#at = at + n;
    // A view made from the buffer: cheaper than subarray(), which goes through the species lookup.
    return new Uint8Array(this.#slab.buffer, at, n);
  }

  /**
   * For writing in place: makes sure the current slab has `room` free bytes (moving to a fresh
   * slab when not) and returns where they start in `current`. Bytes written there are handed out
   * only by `advance`; until then the next reservation may write over them.
   */
  reserve(room: number): number {
    if (this.#at + room > SLAB_BYTES) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#at = 0;
    }
    return this.#at;
  }

  get current(): Uint8Array {
    return this.#slab;
  }

  /** Hands out the current slab's bytes up to `end` (written in place after `reserve`). */
  advance(end: number): void {
    this.#at = end;
  }

  /** A copy of `bytes` that stays valid and unshared. */
  copy(bytes: Uint8Array): Uint8Array {
    const out = this.take(bytes.length);
    out.set(bytes);
    return out;
  }
}
