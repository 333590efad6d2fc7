// Encodes a reply straight into its frame: the output message by its own (generated) encode,
// into a reused writer pointed at a slab past room for the envelope's head, then the head written
// in front of the payload. One view per reply and no copy. A small Uint8Array of its own would
// make uWS allocate a backing store for it on send, and the writer's finish() would copy the payload.
// Like byte-slab.ts, a slab is never rewritten where a frame was handed out.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { encodeReply, replySize, writeReplyHead, type MessageCodec } from "../rpc/index.js";
import { ByteSlab, SLAB_BYTES } from "./byte-slab.js";
import { ReusedWriter, reuseWorks } from "./reused-wire.js";

/** The most an envelope's head takes before the payload: constructor id, request id, payload length. */
const HEAD_MAX = 5 + 6 + 6;
/** A slab with less room than this is left for a new one (a bigger reply moves the writer to a bigger buffer). */
const MIN_ROOM = 1024;

export class ReplyEncoder {
  readonly #writer: BinaryWriter = reuseWorks ? new ReusedWriter() : new BinaryWriter();
  /** Without reuse (reused-wire.ts) the writer is used as a plain BinaryWriter. */
  readonly #reuses = reuseWorks;
  readonly #frames = new ByteSlab();
  #slab = new Uint8Array(SLAB_BYTES);
  #at = 0;

  /** Throws what the codec throws (an output that does not encode), leaving the writer clean. */
  encode<T>(constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    if (!this.#reuses) return this.#encodeFinished(this.#writer, constructorId, requestId, codec, output);
    const w = this.#writer as ReusedWriter;
    if (this.#slab.length - this.#at < MIN_ROOM) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#at = 0;
    }
    const payloadAt = this.#at + HEAD_MAX;
    w.writeInto(this.#slab, payloadAt);
    let written: { finish(): Uint8Array };
    try {
      written = codec.encode(output, w);
    } catch (e) {
      w.rewind();
      throw e;
    }
    // A codec that ignores the writer argument returns its own; its finish() gives the bytes.
    if (written !== w) {
      w.rewind();
      const payload = written.finish();
      return encodeReply(this.#frames.take(replySize(requestId, payload.length)), constructorId, requestId, payload);
    }
    const buf = w.written;
    const end = w.writtenLength;
    w.rewind();
    const payloadLength = end - payloadAt;
    const headLength = replySize(requestId, payloadLength) - payloadLength - (constructorId === 0 ? 5 : 0);
    const start = payloadAt - headLength;
    writeReplyHead(buf, start, constructorId, requestId, payloadLength);
    if (buf === this.#slab) this.#at = end;
    else {
      // The reply outgrew the slab: the writer moved to a bigger buffer, which the frame keeps.
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#at = 0;
    }
    return new Uint8Array(buf.buffer, start, end - start);
  }

  #encodeFinished<T>(w: BinaryWriter, constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    let payload: Uint8Array;
    try {
      payload = codec.encode(output, w).finish();
    } catch (e) {
      w.finish(); // resets the writer
      throw e;
    }
    return encodeReply(this.#frames.take(replySize(requestId, payload.length)), constructorId, requestId, payload);
  }
}
