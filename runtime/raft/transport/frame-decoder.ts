// Splits a TCP byte stream into length-prefixed frames ([u32 LE length][payload]) in linear time:
// a frame that arrives in one chunk is a view of it; one split across chunks is kept as a list
// of views and copied once, when its last byte arrives (never chunk onto everything so far).
import { RaftError } from "../core/errors.js";

/** Default bound on a frame (a snapshot travels in one frame, so it must fit). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

export class FrameDecoder {
  /** Length prefix bytes gathered when it was split across chunks. */
  private readonly head = Buffer.alloc(4);
  private headFill = 0;
  /** Length of the frame being gathered, -1 while reading a length prefix. */
  private frameLen = -1;
  private parts: Buffer[] = [];
  private partsLen = 0;
  /** Payload bytes copied to join split frames: the decoder's work, at most the bytes received. */
  copiedBytes = 0;

  constructor(readonly maxFrameBytes = DEFAULT_MAX_FRAME_BYTES) {}

  /** True while a frame (or its length prefix) has started but not ended. */
  inFrame(): boolean {
    return this.headFill > 0 || this.frameLen >= 0;
  }

  /** Feeds a chunk; returns every frame it completes. Throws FRAME_TOO_LARGE above maxFrameBytes. */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.frameLen < 0) {
        let len: number;
        if (this.headFill === 0 && chunk.length - pos >= 4) {
          len = chunk.readUInt32LE(pos);
          pos += 4;
        } else {
          this.head[this.headFill++] = chunk[pos++]!;
          if (this.headFill < 4) continue;
          this.headFill = 0;
          len = this.head.readUInt32LE(0);
        }
        if (len > this.maxFrameBytes) throw new RaftError("FRAME_TOO_LARGE", `a frame of ${len} bytes exceeds maxFrameBytes ${this.maxFrameBytes}`);
        if (len === 0) frames.push(Buffer.alloc(0));
        else this.frameLen = len;
        continue;
      }
      const want = this.frameLen - this.partsLen;
      const take = Math.min(want, chunk.length - pos);
      if (this.parts.length === 0 && take === want) {
        frames.push(chunk.subarray(pos, pos + take));
      } else {
        this.parts.push(chunk.subarray(pos, pos + take));
        this.partsLen += take;
      }
      pos += take;
      if (take === want) {
        if (this.parts.length > 0) {
          frames.push(Buffer.concat(this.parts, this.frameLen));
          this.copiedBytes += this.frameLen;
        }
        this.parts = [];
        this.partsLen = 0;
        this.frameLen = -1;
      }
    }
    return frames;
  }
}

export const frame = (payload: Uint8Array): Buffer => {
  const out = Buffer.allocUnsafe(4 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.set(payload, 4);
  return out;
};
