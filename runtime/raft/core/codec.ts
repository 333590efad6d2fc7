// Binary encoding of messages, entries, hard state, snapshots and conf changes, shared by the
// transport and the write-ahead log. Little-endian; integers up to 2^53 travel as float64.
import { RaftError } from "./errors.js";
import type { ConfChange, ConfState, Entry, HardState, Message, MessageType, Snapshot } from "./types.js";
import { ConfChangeType, EntryType } from "./types.js";

export class Writer {
  private buf: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.ensure(1);
    this.view.setUint8(this.length, v);
    this.length += 1;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
    return this;
  }

  /** A non-negative integer below 2^53. */
  num(v: number): this {
    this.ensure(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.u32(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
    return this;
  }

  /** Reserves 4 bytes and returns their offset, to be filled by setU32 later (frame lengths). */
  reserveU32(): number {
    this.ensure(4);
    this.length += 4;
    return this.length - 4;
  }

  setU32(offset: number, v: number): void {
    this.view.setUint32(offset, v, true);
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }
}

export class Reader {
  private readonly view: DataView;
  pos = 0;

  constructor(private readonly buf: Uint8Array) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new RaftError("DECODE", `truncated: need ${n} bytes at ${this.pos} of ${this.buf.length}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  num(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    if (!Number.isSafeInteger(v) || v < 0) throw new RaftError("DECODE", `bad integer ${v}`);
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    this.need(n);
    // copy: the source buffer is usually a socket chunk that will be reused
    const b = this.buf.slice(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  done(): boolean {
    return this.pos === this.buf.length;
  }
}

export const writeEntry = (w: Writer, e: Entry): void => {
  w.num(e.term).num(e.index).u8(e.type).bytes(e.data);
};

export const readEntry = (r: Reader): Entry => {
  const term = r.num();
  const index = r.num();
  const type = r.u8();
  if (type !== EntryType.Normal && type !== EntryType.ConfChange) throw new RaftError("DECODE", `bad entry type ${type}`);
  return { term, index, type, data: r.bytes() };
};

const writeConfState = (w: Writer, cs: ConfState): void => {
  w.u32(cs.voters.length);
  for (const v of cs.voters) w.u32(v);
};

const readConfState = (r: Reader): ConfState => {
  const n = r.u32();
  const voters: number[] = [];
  for (let i = 0; i < n; i++) voters.push(r.u32());
  return { voters };
};

export const writeSnapshot = (w: Writer, s: Snapshot): void => {
  w.num(s.meta.index).num(s.meta.term);
  writeConfState(w, s.meta.confState);
  w.bytes(s.data);
};

export const readSnapshot = (r: Reader): Snapshot => {
  const index = r.num();
  const term = r.num();
  const confState = readConfState(r);
  return { meta: { index, term, confState }, data: r.bytes() };
};

export const writeHardState = (w: Writer, h: HardState): void => {
  w.num(h.term).u32(h.vote).num(h.commit);
};

export const readHardState = (r: Reader): HardState => ({ term: r.num(), vote: r.u32(), commit: r.num() });

const FLAG_REJECT = 1;
const FLAG_SNAPSHOT = 2;
const FLAG_CONTEXT = 4;

export const writeMessage = (w: Writer, m: Message): void => {
  const flags = (m.reject ? FLAG_REJECT : 0) | (m.snapshot ? FLAG_SNAPSHOT : 0) | (m.context ? FLAG_CONTEXT : 0);
  w.u8(m.type).u8(flags).u32(m.from).u32(m.to).num(m.term).num(m.logTerm).num(m.index).num(m.commit).num(m.rejectHint);
  w.u32(m.entries.length);
  for (const e of m.entries) writeEntry(w, e);
  if (m.snapshot) writeSnapshot(w, m.snapshot);
  if (m.context) w.bytes(m.context);
};

export const readMessage = (r: Reader): Message => {
  const type = r.u8() as MessageType;
  if (type > 18) throw new RaftError("DECODE", `bad message type ${type}`);
  const flags = r.u8();
  const from = r.u32();
  const to = r.u32();
  const term = r.num();
  const logTerm = r.num();
  const index = r.num();
  const commit = r.num();
  const rejectHint = r.num();
  const n = r.u32();
  const entries: Entry[] = [];
  for (let i = 0; i < n; i++) entries.push(readEntry(r));
  const m: Message = { type, from, to, term, logTerm, index, commit, rejectHint, entries, reject: (flags & FLAG_REJECT) !== 0 };
  if (flags & FLAG_SNAPSHOT) m.snapshot = readSnapshot(r);
  if (flags & FLAG_CONTEXT) m.context = r.bytes();
  return m;
};

export const encodeMessage = (m: Message): Uint8Array => {
  const w = new Writer(64 + m.entries.reduce((n, e) => n + e.data.length + 24, 0));
  writeMessage(w, m);
  return w.finish();
};

export const decodeMessage = (b: Uint8Array): Message => {
  const r = new Reader(b);
  const m = readMessage(r);
  if (!r.done()) throw new RaftError("DECODE", "trailing bytes after message");
  return m;
};

export const encodeConfChange = (cc: ConfChange): Uint8Array => new Writer(8).u8(cc.type).u32(cc.nodeId).finish().slice();

export const decodeConfChange = (b: Uint8Array): ConfChange => {
  const r = new Reader(b);
  const type = r.u8();
  if (type !== ConfChangeType.AddNode && type !== ConfChangeType.RemoveNode) throw new RaftError("DECODE", `bad conf change type ${type}`);
  return { type, nodeId: r.u32() };
};
