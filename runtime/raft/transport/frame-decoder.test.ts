import { describe, expect, it } from "vitest";
import { FrameDecoder, MAX_FRAME, frame } from "./frame-decoder.js";

describe("frame decoder", () => {
  it("reassembles frames split and merged arbitrarily by TCP", () => {
    const payloads = [Buffer.from("a"), Buffer.alloc(0), Buffer.from("hello world"), Buffer.alloc(1000, 7)];
    const stream = Buffer.concat(payloads.map((p) => frame(p)));
    for (const cut of [1, 3, 5, 17, 400]) {
      const dec = new FrameDecoder();
      const got: Buffer[] = [];
      for (let i = 0; i < stream.length; i += cut) got.push(...dec.push(stream.subarray(i, i + cut)));
      expect(got.map((b) => b.toString("hex"))).toEqual(payloads.map((b) => b.toString("hex")));
    }
  });

  it("refuses an impossible frame length instead of buffering it", () => {
    const bad = Buffer.alloc(4);
    bad.writeUInt32LE(MAX_FRAME + 1, 0);
    expect(() => new FrameDecoder().push(bad)).toThrow(/DECODE/);
  });
});
