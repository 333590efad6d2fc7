// Encodes a reply: the output message by its own (generated) encode into one reused writer, then
// the envelope around it written straight into a slab (byte-slab.ts), the payload copied from the
// writer's buffer. A small Uint8Array of its own would make uWS allocate a backing store for it
// on send, and the writer's finish() would copy the payload once more.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { encodeReply, replySize, writeReply, type MessageCodec } from "../rpc/index.js";
import { ByteSlab } from "./byte-slab.js";
import { ReusedWriter, reuseWorks } from "./reused-wire.js";

export class ReplyEncoder {
  readonly #writer = reuseWorks ? new ReusedWriter() : new BinaryWriter();
  readonly #frames = new ByteSlab();

  /** Throws what the codec throws (an output that does not encode), leaving the writer clean. */
  encode<T>(constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    const w = this.#writer;
    if (!(w instanceof ReusedWriter)) return this.#encodeFinished(w, constructorId, requestId, codec, output);
    let written: { finish(): Uint8Array };
    try {
      written = codec.encode(output, w);
    } catch (e) {
      w.rewind();
      throw e;
    }
    // A codec that ignores the writer argument returns its own; its finish() gives the bytes.
    if (written !== w) return this.#frame(constructorId, requestId, written.finish());
    const frame = this.#frames.take(replySize(requestId, w.writtenLength));
    const end = writeReply(frame, constructorId, requestId, w.written, w.writtenLength);
    w.rewind();
    return end === frame.length ? frame : frame.subarray(0, end);
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
    return encodeReply(this.#frames.take(replySize(requestId, payload.length)), constructorId, requestId, payload);
  }
}
