// Encodes a reply envelope and its payload in one pass into one reused BinaryWriter: the
// envelope header, then the output message written by its own (generated) encode into the same
// writer, behind a length prefix. The finished frame is copied into a slab (byte-slab.ts): a
// small Uint8Array of its own would make uWS allocate a backing store for it on send.
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { encodeReply, type MessageCodec } from "../rpc/index.js";
import { ByteSlab } from "./byte-slab.js";

export class ReplyEncoder {
  readonly #writer = new BinaryWriter();
  readonly #scratch = new Uint8Array(64 * 1024);
  readonly #frames = new ByteSlab();

  /** Throws what the codec throws (an output that does not encode), leaving the writer clean. */
  encode<T>(constructorId: number, requestId: number, codec: MessageCodec<T>, output: T): Uint8Array {
    const w = this.#writer;
    w.uint32(13).fixed32(constructorId);
    if (requestId !== 0) w.uint32(16).uint32(requestId);
    w.uint32(26).fork();
    let written: { finish(): Uint8Array };
    try {
      written = codec.encode(output, w);
    } catch (e) {
      w.finish(); // resets the writer
      throw e;
    }
    if (written === w) {
      w.join();
      return this.#frames.copy(w.finish());
    }
    // A codec that ignores the writer argument: fall back to copying its bytes.
    w.finish();
    return this.#frames.copy(encodeReply(this.#scratch, constructorId, requestId, written.finish()));
  }
}
