import { describe, expect, it, vi } from "vitest";
import { FrameDecoder, frame } from "./frame-decoder.js";

describe("frame decoder", () => {
  it("reassembles frames split and merged arbitrarily by TCP", () => {
    const payloads = [Buffer.from("a"), Buffer.alloc(0), Buffer.from("hello world"), Buffer.alloc(1000, 7)];
    const stream = Buffer.concat(payloads.map((p) => frame(p)));
    for (const cut of [1, 3, 5, 17, 400]) {
      const dec = new FrameDecoder();
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += cut) got.push(...dec.push(stream.subarray(i, i + cut)));
      expect(got.map((b) => b.toString("hex"))).toEqual(payloads.map((b) => b.toString("hex")));
      expect(dec.inFrame()).toBe(false);
    }
  });

  it("refuses a frame above its bound with FRAME_TOO_LARGE instead of buffering it", () => {
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(1025, 0);
    expect(() => new FrameDecoder(1024).push(bad)).toThrow(/FRAME_TOO_LARGE/);
    expect(new FrameDecoder(1024).push(frame(Buffer.alloc(1024)))).toHaveLength(1);
  });

  it("does work linear in the bytes received: a frame pushed in small chunks is copied once", () => {
    // work = bytes copied to join pieces (Buffer.concat is how pieces are joined, before and after the fix)
    const work = (mib: number, chunk: number): number => {
      const stream = frame(Buffer.alloc(mib * 1024 * 1024, 1));
      const concat = vi.spyOn(Buffer, "concat");
      const dec = new FrameDecoder(64 * 1024 * 1024);
      const out: Buffer[] = [];
      for (let i = 0; i < stream.length; i += chunk) out.push(...dec.push(stream.subarray(i, i + chunk)));
      const copied = concat.mock.results.reduce((n, r) => n + (r.value as Buffer).length, 0);
      concat.mockRestore();
      expect(out).toHaveLength(1);
      expect(out[0]!.length).toBe(mib * 1024 * 1024);
      return copied;
    };
    const one = work(1, 16 * 1024);
    const four = work(4, 16 * 1024);
    expect(four).toBeLessThanOrEqual(4 * 1024 * 1024 + 4); // each byte copied at most once
    expect(four / one).toBeLessThan(5); // 4× the bytes, about 4× the work (quadratic would be 16×)
  });
});
