// A hand-written codec for rony.Envelope and rony.MessageContainer, wire-compatible with the
// generated one in generated/rony/envelope.ts (envelope-codec.test.ts holds them equal with
// fast-check). It exists because it sits on every request: one pass, no BinaryReader/Writer
// objects, payloads are views into the frame, and envelopes without headers share one object.
import type { Envelope } from "../../generated/rony/envelope.js";
import { ErrorCode, RonyError } from "./errors.js";

export type { Envelope };

/** Shared by every decoded envelope that carries no headers; never mutate it. */
export const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

// Header keys and values are proto strings: invalid UTF-8 is refused, as protobuf's parsers do.
const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

function malformed(why: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `malformed frame: ${why}`);
}

const EMPTY = new Uint8Array(0);

/** A read cursor over one frame; module-level so decoding allocates nothing for it. */
let buf: Uint8Array = EMPTY;
let pos = 0;

function readVarint32(): number {
  // Like protobuf's uint32(): up to ten bytes, the value truncated to 32 bits.
  let result = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw malformed("truncated varint");
    const b = buf[pos++]!;
    if (shift < 32) result |= (b & 0x7f) << shift;
    shift += 7;
    if ((b & 0x80) === 0) return result >>> 0;
  }
  throw malformed("varint longer than ten bytes");
}

function readFixed32(): number {
  if (pos + 4 > buf.length) throw malformed("truncated fixed32");
  const v = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
  pos += 4;
  return v;
}

function readLength(): number {
  const len = readVarint32();
  if (len > buf.length - pos) throw malformed("length past the end");
  return len;
}

function skipField(wireType: number, fieldNo: number, depth: number): void {
  switch (wireType) {
    case 0:
      readVarint32();
      return;
    case 1:
      if (pos + 8 > buf.length) throw malformed("truncated fixed64");
      pos += 8;
      return;
    case 2: {
      const len = readLength(); // before `pos +=`, which would read pos first
      pos += len;
      return;
    }
    case 3: {
      // A group: skip fields until its matching end tag.
      if (depth > 32) throw malformed("groups nested too deep");
      for (;;) {
        const tag = readVarint32();
        const wt = tag & 7;
        if (wt === 4) {
          if (tag >>> 3 !== fieldNo) throw malformed("mismatched end group");
          return;
        }
        skipField(wt, tag >>> 3, depth + 1);
      }
    }
    case 5:
      if (pos + 4 > buf.length) throw malformed("truncated fixed32");
      pos += 4;
      return;
    default:
      throw malformed(`wire type ${wireType}`);
  }
}

function readString(len: number): string {
  try {
    return utf8Decoder.decode(buf.subarray(pos, pos + len));
  } catch {
    throw malformed("a header is not valid UTF-8");
  }
}

function readHeaderEntry(end: number, headers: Record<string, string>): void {
  let key = "";
  let value = "";
  while (pos < end) {
    const tag = readVarint32();
    if (tag === 10) {
      const len = readLength();
      key = readString(len);
      pos += len;
    } else if (tag === 18) {
      const len = readLength();
      value = readString(len);
      pos += len;
    } else {
      if ((tag & 7) === 4 || tag === 0) break;
      skipField(tag & 7, tag >>> 3, 0);
    }
  }
  if (pos > end) throw malformed("header entry overruns its length");
  pos = end;
  headers[key] = value;
}

/**
 * An envelope whose payload is left in its frame, as offsets: what the edge reads per call, with
 * no view made for the payload. One object can be filled again and again.
 */
export interface EnvelopeHead {
  constructorId: number;
  requestId: number;
  headers: Record<string, string>;
  /** The payload is frame[payloadStart, payloadEnd). */
  payloadStart: number;
  payloadEnd: number;
}

export function newEnvelopeHead(): EnvelopeHead {
  return { constructorId: 0, requestId: 0, headers: NO_HEADERS as Record<string, string>, payloadStart: 0, payloadEnd: 0 };
}

function readEnvelope(end: number, head: EnvelopeHead): void {
  let constructorId = 0;
  let requestId = 0;
  let payloadStart = 0;
  let payloadEnd = 0;
  let headers: Record<string, string> | undefined;
  while (pos < end) {
    const tag = readVarint32();
    switch (tag) {
      case 13:
        constructorId = readFixed32();
        continue;
      case 16:
        requestId = readVarint32();
        continue;
      case 26: {
        const len = readLength();
        payloadStart = pos;
        payloadEnd = pos + len;
        pos += len;
        continue;
      }
      case 34: {
        const len = readLength();
        // No prototype: a header named "__proto__" stays data, it cannot reach Object.prototype.
        headers ??= Object.create(null) as Record<string, string>;
        readHeaderEntry(pos + len, headers);
        continue;
      }
    }
    if ((tag & 7) === 4 || tag === 0) break;
    skipField(tag & 7, tag >>> 3, 0);
  }
  if (pos > end) throw malformed("envelope overruns its length");
  head.constructorId = constructorId;
  head.requestId = requestId;
  head.headers = headers ?? (NO_HEADERS as Record<string, string>);
  head.payloadStart = payloadStart;
  head.payloadEnd = payloadEnd;
}

const scratchHead = newEnvelopeHead();

function envelopeOf(head: EnvelopeHead): Envelope {
  const payload = head.payloadEnd > head.payloadStart ? buf.subarray(head.payloadStart, head.payloadEnd) : EMPTY;
  return { constructorId: head.constructorId, requestId: head.requestId, payload, headers: head.headers };
}

/** Decodes one envelope. The payload is a view into `frame`. Throws RonyError(INVALID_ARGUMENT). */
export function decodeEnvelope(frame: Uint8Array): Envelope {
  buf = frame;
  pos = 0;
  try {
    readEnvelope(frame.length, scratchHead);
    return envelopeOf(scratchHead);
  } finally {
    buf = EMPTY;
  }
}

/** Decodes one envelope into `head`, its payload left in `frame`. Throws RonyError(INVALID_ARGUMENT). */
export function decodeEnvelopeHead(frame: Uint8Array, head: EnvelopeHead): void {
  if (readPlainEnvelope(frame, head)) return;
  buf = frame;
  pos = 0;
  try {
    readEnvelope(frame.length, head);
  } finally {
    buf = EMPTY;
  }
}

/**
 * The envelope every encoder here writes for a call: constructor id, request id, payload, in
 * that order, no headers, varints under 2^28. Read with locals in one pass; false for anything
 * else (left to readEnvelope, which reads every shape the same way this does).
 */
function readPlainEnvelope(frame: Uint8Array, head: EnvelopeHead): boolean {
  const end = frame.length;
  if (end < 8 || frame[0] !== 13 || frame[5] !== 16) return false;
  let at = shortVarint(frame, 6, end);
  if (at < 0) return false;
  const requestId = shortValue;
  if (at >= end || frame[at++] !== 26) return false;
  at = shortVarint(frame, at, end);
  if (at < 0 || at + shortValue !== end) return false;
  head.constructorId = (frame[1]! | (frame[2]! << 8) | (frame[3]! << 16) | (frame[4]! << 24)) >>> 0;
  head.requestId = requestId;
  head.headers = NO_HEADERS as Record<string, string>;
  head.payloadStart = at;
  head.payloadEnd = end;
  return true;
}

/** The value of the last varint shortVarint read. */
let shortValue = 0;

/** Reads a varint under 2^28 (four bytes at most) at frame[at], before `end`: the position after it, or -1. */
function shortVarint(frame: Uint8Array, at: number, end: number): number {
  let value = 0;
  for (let shift = 0; shift < 28 && at < end; shift += 7) {
    const b = frame[at++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) {
      shortValue = value;
      return at;
    }
  }
  return -1;
}

/** Decodes a MessageContainer's envelopes. Payloads are views into `bytes`. */
export function decodeContainer(bytes: Uint8Array): Envelope[] {
  buf = bytes;
  pos = 0;
  const out: Envelope[] = [];
  try {
    while (pos < bytes.length) {
      const tag = readVarint32();
      if (tag === 10) {
        const len = readLength();
        const end = pos + len;
        readEnvelope(end, scratchHead);
        out.push(envelopeOf(scratchHead));
        pos = end;
        continue;
      }
      if ((tag & 7) === 4 || tag === 0) break;
      skipField(tag & 7, tag >>> 3, 0);
    }
    return out;
  } finally {
    buf = EMPTY;
  }
}

// ---- encoding ----

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

function writeVarint(out: Uint8Array, at: number, v: number): number {
  while (v > 0x7f) {
    out[at++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[at++] = v;
  return at;
}

function headerEntries(headers: Readonly<Record<string, string>>): Uint8Array[] | undefined {
  let parts: Uint8Array[] | undefined;
  for (const key in headers) {
    const value = headers[key]!;
    parts ??= [];
    parts.push(utf8Encoder.encode(key), utf8Encoder.encode(value));
  }
  return parts;
}

function entrySize(k: Uint8Array, v: Uint8Array): number {
  return (k.length > 0 ? 1 + varintSize(k.length) + k.length : 0) + (v.length > 0 ? 1 + varintSize(v.length) + v.length : 0);
}

/** Bytes an envelope takes; `parts` are its encoded header keys and values, from headerEntries. */
function envelopeSize(env: Envelope, parts: Uint8Array[] | undefined): number {
  let size = replyHeadSize(env.constructorId, env.requestId, env.payload.length) + env.payload.length;
  if (parts !== undefined) {
    for (let i = 0; i < parts.length; i += 2) {
      const e = entrySize(parts[i]!, parts[i + 1]!);
      size += 1 + varintSize(e) + e;
    }
  }
  return size;
}

function writeEnvelope(out: Uint8Array, at: number, env: Envelope, parts: Uint8Array[] | undefined): number {
  at = writeReplyHead(out, at, env.constructorId, env.requestId, env.payload.length);
  out.set(env.payload, at);
  at += env.payload.length;
  if (parts !== undefined) {
    for (let i = 0; i < parts.length; i += 2) {
      const k = parts[i]!;
      const v = parts[i + 1]!;
      out[at++] = 34;
      at = writeVarint(out, at, entrySize(k, v));
      if (k.length > 0) {
        out[at++] = 10;
        at = writeVarint(out, at, k.length);
        out.set(k, at);
        at += k.length;
      }
      if (v.length > 0) {
        out[at++] = 18;
        at = writeVarint(out, at, v.length);
        out.set(v, at);
        at += v.length;
      }
    }
  }
  return at;
}

/** Encodes one envelope into a new buffer, byte-identical to the generated Envelope.encode. */
export function encodeEnvelope(env: Envelope): Uint8Array<ArrayBuffer> {
  const parts = env.headers === NO_HEADERS ? undefined : headerEntries(env.headers);
  const out = new Uint8Array(envelopeSize(env, parts));
  writeEnvelope(out, 0, env, parts);
  return out;
}

/**
 * Encodes a header-less reply envelope into `scratch` when it fits (else into a new buffer) and
 * returns a view of the bytes: for senders that copy synchronously (uWS `send`), this makes the
 * reply path allocate nothing but the payload.
 */
export function encodeReply(scratch: Uint8Array, constructorId: number, requestId: number, payload: Uint8Array): Uint8Array {
  const size = replyHeadSize(constructorId, requestId, payload.length) + payload.length;
  const out = size <= scratch.length ? scratch : new Uint8Array(size);
  out.set(payload, writeReplyHead(out, 0, constructorId, requestId, payload.length));
  return size === out.length ? out : out.subarray(0, size);
}

/**
 * Writes, from `at`, what precedes the payload in an envelope (its headers come after it; replyHeadSize
 * bytes); returns where the payload goes. A writer can then encode the payload in place.
 * Byte-identical to encodeEnvelope's output.
 */
export function writeReplyHead(out: Uint8Array, at: number, constructorId: number, requestId: number, payloadLength: number): number {
  if (constructorId !== 0) {
    const id = constructorId >>> 0;
    out[at] = 13;
    out[at + 1] = id & 0xff;
    out[at + 2] = (id >>> 8) & 0xff;
    out[at + 3] = (id >>> 16) & 0xff;
    out[at + 4] = id >>> 24;
    at += 5;
  }
  if (requestId !== 0) {
    out[at++] = 16;
    at = writeVarint(out, at, requestId >>> 0);
  }
  if (payloadLength !== 0) {
    out[at++] = 26;
    at = writeVarint(out, at, payloadLength);
  }
  return at;
}

/** Bytes writeReplyHead writes for a reply with this constructor, request id and payload length. */
export function replyHeadSize(constructorId: number, requestId: number, payloadLength: number): number {
  return (constructorId !== 0 ? 5 : 0) + (requestId !== 0 ? 1 + varintSize(requestId >>> 0) : 0) + (payloadLength !== 0 ? 1 + varintSize(payloadLength) : 0);
}

/** Encodes envelopes as a MessageContainer, byte-identical to the generated MessageContainer.encode. */
export function encodeContainer(envelopes: readonly Envelope[]): Uint8Array<ArrayBuffer> {
  const parts: (Uint8Array[] | undefined)[] = [];
  const sizes: number[] = [];
  let size = 0;
  for (const env of envelopes) {
    const p = env.headers === NO_HEADERS ? undefined : headerEntries(env.headers);
    const s = envelopeSize(env, p);
    parts.push(p);
    sizes.push(s);
    size += 1 + varintSize(s) + s;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < envelopes.length; i++) {
    out[at++] = 10;
    at = writeVarint(out, at, sizes[i]!);
    at = writeEnvelope(out, at, envelopes[i]!, parts[i]);
  }
  return out;
}
