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
});
