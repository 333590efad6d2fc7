// Splits a TCP byte stream into length-prefixed frames ([u32 LE length][payload]).
import { RaftError } from "../core/errors.js";

export const MAX_FRAME = 256 * 1024 * 1024;

export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  /** Feeds a chunk; returns every complete frame. Throws DECODE on an impossible length. */
  push(chunk: Buffer): Buffer[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const frames: Buffer[] = [];
    let pos = 0;
    while (this.buf.length - pos >= 4) {
      const len = this.buf.readUInt32LE(pos);
      if (len > MAX_FRAME) throw new RaftError("DECODE", `frame of ${len} bytes exceeds ${MAX_FRAME}`);
      if (this.buf.length - pos - 4 < len) break;
      frames.push(this.buf.subarray(pos + 4, pos + 4 + len));
      pos += 4 + len;
    }
    this.buf = pos === this.buf.length ? Buffer.alloc(0) : this.buf.subarray(pos);
    return frames;
  }
}

export const frame = (payload: Uint8Array): Buffer => {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, 4);
  return out;
};
