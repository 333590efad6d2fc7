// One protobuf reader and one writer per frame handler, reused for every call, instead of a
// BinaryReader per input (each builds a DataView) and a writer's finish() per reply (each copies
// the bytes into an ArrayBuffer of its own). The generated codecs take them as they are: the
// reader is a BinaryReader, the writer a BinaryWriter. Their int64 methods also skip
// protobuf-es' DataView round trip and BigInt arithmetic: the value goes through a BigInt64Array
// whose two 32-bit halves are read and written as numbers (V8 converts there without a runtime call).
//
// Reuse needs three of protobuf-es' private fields (the reader's buffer and view, the writer's
// buffer and position). They are checked once, at load, by encoding and decoding a sample: if a
// version of @bufbuild/protobuf has moved them, `reuseWorks` is false and the edge falls back to
// a fresh reader and finish() per call — slower, never wrong.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import type { MessageCodec } from "../rpc/index.js";
import type { ByteSlab } from "./byte-slab.js";

const EMPTY = new Uint8Array(0);
const TWO_32 = 4294967296;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** One int64 and its halves (little-endian on every platform Node runs on; checked at load). */
const int64Cell = new BigInt64Array(1);
const int64Halves = new Uint32Array(int64Cell.buffer);

/** Node's Buffer methods, applied to any Uint8Array; checked at load (without them text is read and written the usual way). */
interface NodeBufferText {
  latin1Slice?: (this: Uint8Array, start: number, end: number) => string;
  utf8Write?: (this: Uint8Array, text: string, offset: number, length: number) => number;
}
const nodeBuffer = globalThis.Buffer?.prototype as NodeBufferText | undefined;
const latin1Slice = checked(nodeBuffer?.latin1Slice, (slice) => slice.call(new Uint8Array([0x20, 0x41, 0x7a, 0x7e]), 1, 3) === "Az");
const utf8Write = checked(nodeBuffer?.utf8Write, (write) => {
  const out = new Uint8Array(8);
  return write.call(out, "é\ud800", 1, 7) === 5 && [...out].join() === "0,195,169,239,191,189,0,0";
});

function checked<F>(fn: F | undefined, works: (fn: F) => boolean): F | undefined {
  try {
    return fn !== undefined && works(fn) ? fn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True for a codec whose decode is protobuf-shaped, `decode(input: BinaryReader | Uint8Array,
 * length?)` (generated and ts-proto codecs): it may be given a ReusedReader. A hand-written
 * codec's `decode(bytes)` gets the bytes.
 */
export function readsFromReader(codec: MessageCodec<unknown>): boolean {
  return codec.decode.length === 2;
}

/** The BinaryReader fields a reused reader repoints. */
interface ReaderFields {
  buf: Uint8Array;
  len: number;
  view: DataView | undefined;
}

/** A BinaryReader pointed at one input after another; never shared across an await. */
export class ReusedReader extends BinaryReader {
  #buf: Uint8Array = EMPTY;
  #copies: ByteSlab | undefined = undefined;

  constructor() {
    super(EMPTY);
  }

  /**
   * Reads `bytes[start, end)`. The DataView protobuf-es keeps is made only if a fixed-width field
   * needs it. With `copies`, `bytes` fields are copied there: for frames whose memory is only
   * valid during the caller's callback (uWS), so that a decoded message owns what it holds.
   */
  reset(bytes: Uint8Array, start = 0, end = bytes.length, copies?: ByteSlab): this {
    const f = this as unknown as ReaderFields;
    f.buf = bytes;
    f.len = end;
    f.view = undefined;
    this.#buf = bytes;
    this.#copies = copies;
    this.pos = start;
    return this;
  }

  /**
   * ASCII text over 16 bytes is made by Node's native latin1 slice (the same characters for
   * bytes under 0x80), about a third cheaper than protobuf-es' char-code array at 32 bytes;
   * shorter or non-ASCII text goes the usual way, strictness included.
   */
  override string(strict?: boolean): string {
    const buf = this.#buf;
    const at = this.pos;
    // A one-byte length of 16 or less: short text, read once the usual way.
    if (latin1Slice === undefined || !(buf[at]! > 16)) return super.string(strict);
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end <= this.len) {
      let bits = 0;
      for (let i = start; i < end; i++) bits |= buf[i]!;
      if (bits < 0x80) {
        this.pos = end;
        return latin1Slice.call(buf, start, end);
      }
    }
    this.pos = at;
    return super.string(strict);
  }

  override bytes(): Uint8Array {
    const view = super.bytes();
    return this.#copies === undefined ? view : this.#copies.copy(view);
  }

  #view(): void {
    const f = this as unknown as ReaderFields;
    if (f.view === undefined) f.view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
  }

  override fixed32(): number {
    this.#view();
    return super.fixed32();
  }

  override sfixed32(): number {
    this.#view();
    return super.sfixed32();
  }

  override float(): number {
    this.#view();
    return super.float();
  }

  override double(): number {
    this.#view();
    return super.double();
  }

  /** Varints of up to seven bytes (under 2^49, so non-negative) are summed as a number and made a bigint from its halves; longer ones go the general way. */
  override int64(): bigint {
    const buf = this.#buf;
    let pos = this.pos;
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 7 && pos < this.len; i++) {
      const b = buf[pos++]!;
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        this.pos = pos;
        int64Halves[0] = n >>> 0;
        int64Halves[1] = (n / TWO_32) >>> 0;
        return int64Cell[0]!;
      }
      scale *= 128;
    }
    return super.int64() as bigint;
  }
}

/** The BinaryWriter fields a reused writer reads, rewinds and repoints. */
interface WriterFields {
  buffer: Uint8Array;
  pos: number;
  stackPos: number[];
  /** A DataView over `buffer.buffer`, reused while its byteLength equals the buffer's. */
  viewCache: DataView;
}

/** A BinaryWriter whose bytes are read in place (`written`, `writtenLength`) and then dropped (`rewind`), not copied out by finish(). */
export class ReusedWriter extends BinaryWriter {
  /** The bytes written so far are the first `writtenLength` of this buffer (valid until the next write). */
  get written(): Uint8Array {
    return (this as unknown as WriterFields).buffer;
  }

  get writtenLength(): number {
    return (this as unknown as WriterFields).pos;
  }

  /**
   * Writes from now on into `buffer` (whose byteOffset must be 0) at `pos`: a reply's payload is
   * encoded straight into its frame. A write past its end moves to a bigger copy, as always.
   */
  writeInto(buffer: Uint8Array, pos: number): void {
    const f = this as unknown as WriterFields;
    if (f.buffer !== buffer) {
      f.buffer = buffer;
      f.viewCache = new DataView(buffer.buffer);
    }
    f.pos = pos;
    if (f.stackPos.length > 0) f.stackPos = [];
  }

  /** Forgets what was written (after an encode that threw, too). */
  rewind(): void {
    const f = this as unknown as WriterFields;
    f.pos = 0;
    if (f.stackPos.length > 0) f.stackPos = [];
  }

  /** A one-byte varint (every tag of a field under 16) written at once; anything else the usual way. */
  override uint32(value: number): this {
    const f = this as unknown as WriterFields;
    if (value >>> 0 === value && value < 0x80 && f.pos < f.buffer.length) {
      f.buffer[f.pos++] = value;
      return this;
    }
    return super.uint32(value);
  }

  /**
   * Text under 43 UTF-16 units (at most 126 bytes of UTF-8: a one-byte length) is written by
   * Node's native utf8Write straight after its length byte; longer text the usual way. Both
   * replace a lone surrogate with U+FFFD, as TextEncoder does.
   */
  override string(value: string): this {
    const f = this as unknown as WriterFields;
    if (typeof value === "string" && value.length < 43 && utf8Write !== undefined && f.pos + 1 + value.length * 3 <= f.buffer.length) {
      const n = utf8Write.call(f.buffer, value, f.pos + 1, value.length * 3);
      f.buffer[f.pos] = n;
      f.pos += 1 + n;
      return this;
    }
    return super.string(value);
  }

  /** A bigint in range is written from its two 32-bit halves; anything else (and the error for a bigint out of range) the usual way. */
  override int64(value: string | number | bigint): this {
    const f = this as unknown as WriterFields;
    if (typeof value === "bigint" && value >= INT64_MIN && value <= INT64_MAX && f.pos + 10 <= f.buffer.length) {
      int64Cell[0] = value;
      let lo = int64Halves[0]!;
      let hi = int64Halves[1]!;
      const buf = f.buffer;
      let pos = f.pos;
      while (hi !== 0 || lo > 0x7f) {
        buf[pos++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      buf[pos++] = lo;
      f.pos = pos;
      return this;
    }
    return super.int64(value);
  }
}

/** True when the private fields reuse relies on are where this file expects them. */
function checkReuse(): boolean {
  try {
    const sample = new BinaryWriter().uint32(8).int64(300n).uint32(18).string("ok").uint32(25).fixed64(7n).finish();
    const w = new ReusedWriter();
    w.uint32(8).int64(300n).uint32(18).string("ok").uint32(25).fixed64(7n);
    if (w.writtenLength !== sample.length || w.written.subarray(0, w.writtenLength).some((b, i) => b !== sample[i])) return false;
    w.rewind();
    if (w.writtenLength !== 0) return false;
    // Repointed at another buffer, fixed-width fields too land there.
    const into = new Uint8Array(sample.length + 3);
    w.writeInto(into, 3);
    w.uint32(8).int64(300n).uint32(18).string("ok").uint32(25).fixed64(7n);
    if (w.writtenLength !== sample.length + 3 || w.written !== into || into.subarray(3).some((b, i) => b !== sample[i])) return false;
    w.rewind();
    // The sample inside a larger frame, as an input's payload is read from its envelope.
    const framed = new Uint8Array(sample.length + 2).fill(0xff);
    framed.set(sample, 1);
    const r = new ReusedReader().reset(new Uint8Array([0xff])).reset(framed, 1, 1 + sample.length);
    const text = ["ascii text longer than sixteen bytes", "text of more than sixteen bytes, not all ASCII: é"];
    const texts = new BinaryWriter().string(text[0]!).string(text[1]!).finish();
    const t = new ReusedReader().reset(texts);
    if (t.string(true) !== text[0] || t.string(true) !== text[1] || t.pos !== texts.length) return false;
    return r.uint32() === 8 && r.int64() === 300n && r.uint32() === 18 && r.string() === "ok" && r.uint32() === 25 && r.fixed64() === 7n && r.pos === r.len;
  } catch {
    return false;
  }
}

export const reuseWorks = checkReuse();
