// Encodes a reply straight into its frame: the output message by its own (generated) encode,
// into a reused writer pointed into a slab (byte-slab.ts) past room for the envelope's head, then
// the head written in front of the payload. One view per reply and no copy. A small Uint8Array of
// its own would make uWS allocate a backing store for it on send, and the writer's finish() would
// copy the payload.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { encodeReply, replyHeadSize, writeReplyHead, type MessageCodec } from "../rpc/index.js";
import { ByteSlab } from "./byte-slab.js";
import { ReusedWriter, reuseWorks } from "./reused-wire.js";

/** The most an envelope's head takes before the payload: constructor id, request id, payload length. */
const HEAD_MAX = 5 + 6 + 6;
/** Room a reply starts with; a bigger one moves the writer to a bigger buffer of its own. */
const MIN_ROOM = 1024;

export class ReplyEncoder {
  /** Without reuse (reused-wire.ts) the writer is used as a plain BinaryWriter. */
  readonly #writer: BinaryWriter = reuseWorks ? new ReusedWriter() : new BinaryWriter();
  readonly #frames = new ByteSlab();

  /** Throws what the codec throws (an output that does not encode), leaving the writer clean. */
  encode<T>(constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    if (!reuseWorks) return this.#encodeFinished(this.#writer, constructorId, requestId, codec, output);
    const w = this.#writer as ReusedWriter;
    const slab = this.#frames;
    const payloadAt = slab.reserve(MIN_ROOM) + HEAD_MAX;
    w.writeInto(slab.current, payloadAt);
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
      return this.#frame(constructorId, requestId, written.finish());
    }
    const buf = w.written;
    const end = w.writtenLength;
    w.rewind();
    const payloadLength = end - payloadAt;
    const start = payloadAt - replyHeadSize(constructorId, requestId, payloadLength);
    writeReplyHead(buf, start, constructorId, requestId, payloadLength);
    // A reply that outgrew the slab is in the bigger buffer the writer moved to, which the frame keeps.
    if (buf === slab.current) slab.advance(end);
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
    return this.#frame(constructorId, requestId, payload);
  }

  #frame(constructorId: number, requestId: number, payload: Uint8Array): Uint8Array {
    return encodeReply(this.#frames.take(replyHeadSize(constructorId, requestId, payload.length) + payload.length), constructorId, requestId, payload);
  }
}
