// Encodes a reply: the output message by its own (generated) encode into one reused
// BinaryWriter, then the envelope around it written straight into a slab (byte-slab.ts). A small
// Uint8Array of its own would make uWS allocate a backing store for it on send.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { encodeReply, replySize, type MessageCodec } from "../rpc/index.js";
import { ByteSlab } from "./byte-slab.js";

export class ReplyEncoder {
  readonly #writer = new BinaryWriter();
  readonly #frames = new ByteSlab();

  /** Throws what the codec throws (an output that does not encode), leaving the writer clean. */
  encode<T>(constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    const w = this.#writer;
    let payload: Uint8Array;
    try {
      // A codec that ignores the writer argument returns its own; either way finish() gives the bytes.
      payload = codec.encode(output, w).finish();
    } catch (e) {
      w.finish(); // resets the writer
      throw e;
    }
    return encodeReply(this.#frames.take(replySize(requestId, payload.length)), constructorId, requestId, payload);
  }
}
