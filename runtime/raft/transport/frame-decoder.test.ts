import { describe, expect, it } from "vitest";
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
});
