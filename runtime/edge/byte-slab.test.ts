import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteSlab, SLAB_BYTES } from "./byte-slab.js";

describe("ByteSlab", () => {
  it("every copy keeps its bytes, whatever is copied after it and whatever happens to the source", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: SLAB_BYTES / 4 }), { maxLength: 200 }), (runs) => {
        const slab = new ByteSlab();
        const copies = runs.map((r) => slab.copy(r));
        const expected = runs.map((r) => Uint8Array.from(r));
        for (const r of runs) r.fill(0xee); // the source (uWS's buffer) is gone after the callback
        copies.forEach((c, i) => expect(c).toEqual(expected[i]));
      }),
    );
  });

  it("copies share a buffer until it is full, and a large run gets one of its own", () => {
    const slab = new ByteSlab();
    const a = slab.copy(new Uint8Array(100));
    const b = slab.copy(new Uint8Array(100));
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset).toBe(a.byteOffset + 100);
    const large = slab.copy(new Uint8Array(SLAB_BYTES / 8 + 1));
    expect(large.buffer).not.toBe(a.buffer);
    expect(large.byteOffset).toBe(0);
    // Filling the slab moves on to a fresh one; nothing written so far is touched.
    const c = slab.copy(new Uint8Array(SLAB_BYTES / 8).fill(7));
    for (let i = 0; i < 8; i++) slab.copy(new Uint8Array(SLAB_BYTES / 8).fill(9));
    expect(c.every((x) => x === 7)).toBe(true);
    expect(slab.copy(new Uint8Array(1)).buffer).not.toBe(a.buffer);
  });

  it("bytes written in place are handed out by advance, and later copies and reservations stay clear of them", () => {
    const slab = new ByteSlab();
    slab.copy(new Uint8Array(10).fill(1));
    const at = slab.reserve(100);
    expect(at).toBe(10);
    slab.current.fill(5, at, at + 20);
    slab.advance(at + 20);
    const written = new Uint8Array(slab.current.buffer, at, 20);
    expect(slab.reserve(100)).toBe(30);
    slab.copy(new Uint8Array(50).fill(9));
    expect(written.every((b) => b === 5)).toBe(true);
    // Too little room left: a fresh slab, the old one untouched.
    const old = slab.current;
    expect(slab.reserve(SLAB_BYTES - 70)).toBe(0);
    expect(slab.current).not.toBe(old);
    expect(written.every((b) => b === 5)).toBe(true);
  });
});
