// Records of the write-ahead log. On disk each is [u32 body length][u32 crc32c(body)][body], and
// a body is [u8 kind][payload]. A record whose length or checksum does not hold ends the log.
import { Reader, Writer, readEntry, readHardState, writeEntry, writeHardState } from "../core/codec.js";
import { RaftError } from "../core/errors.js";
import type { Entry, HardState } from "../core/types.js";
import { crc32c } from "./crc32c.js";

export const RecordKind = { Entry: 1, HardState: 2, SnapshotMarker: 3 } as const;

export type WalRecord =
  | { kind: typeof RecordKind.Entry; entry: Entry }
  | { kind: typeof RecordKind.HardState; hardState: HardState }
  /** An installed snapshot: the log before it, and any entry after it written earlier, is void. */
  | { kind: typeof RecordKind.SnapshotMarker; index: number; term: number };

export const HEADER = 8;

export const encodeRecords = (records: WalRecord[]): Uint8Array => {
  const w = new Writer(1024);
  for (const rec of records) {
    const lenAt = w.reserveU32();
    const crcAt = w.reserveU32();
    const start = w.length;
    w.u8(rec.kind);
    if (rec.kind === RecordKind.Entry) writeEntry(w, rec.entry);
    else if (rec.kind === RecordKind.HardState) writeHardState(w, rec.hardState);
    else w.num(rec.index).num(rec.term);
    const body = w.finish().subarray(start);
    w.setU32(lenAt, body.length);
    w.setU32(crcAt, crc32c(body));
  }
  return w.finish();
};

const decodeBody = (body: Uint8Array): WalRecord => {
  const r = new Reader(body);
  const kind = r.u8();
  let rec: WalRecord;
  if (kind === RecordKind.Entry) rec = { kind, entry: readEntry(r) };
  else if (kind === RecordKind.HardState) rec = { kind, hardState: readHardState(r) };
  else if (kind === RecordKind.SnapshotMarker) rec = { kind, index: r.num(), term: r.num() };
  else throw new RaftError("DECODE", `unknown WAL record kind ${kind}`);
  if (!r.done()) throw new RaftError("DECODE", "trailing bytes in WAL record");
  return rec;
};

/**
 * Decodes records from a segment. `validLength` is where the last good record ends: anything after
 * it is a torn or corrupt tail.
 */
export const decodeRecords = (buf: Uint8Array): { records: WalRecord[]; validLength: number; reason?: string } => {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const records: WalRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    if (pos + HEADER > buf.length) return { records, validLength: pos, reason: "torn header" };
    const len = view.getUint32(pos, true);
    const crc = view.getUint32(pos + 4, true);
    if (len === 0) return { records, validLength: pos, reason: "zero length" };
    if (pos + HEADER + len > buf.length) return { records, validLength: pos, reason: "torn body" };
    const body = buf.subarray(pos + HEADER, pos + HEADER + len);
    if (crc32c(body) !== crc) return { records, validLength: pos, reason: "checksum mismatch" };
    try {
      records.push(decodeBody(body));
    } catch {
      return { records, validLength: pos, reason: "undecodable record" };
    }
    pos += HEADER + len;
  }
  return { records, validLength: pos };
};

/** Body lengths a record of each kind can have: fixed for hard states and markers, 22 + data for entries. */
const HARD_STATE_BODY = 1 + 8 + 4 + 8;
const MARKER_BODY = 1 + 8 + 8;
const ENTRY_BODY = 1 + 8 + 8 + 1 + 4;

/**
 * Offset of the first whole, valid record starting in [from, to], or -1. Used after a bad record
 * to tell a torn tail (nothing valid after it) from corruption followed by valid records. A
 * record's length must agree with its kind (and an entry's with its data length) before its
 * checksum is computed, so scanning costs little more than reading the bytes.
 */
export const findValidRecord = (buf: Uint8Array, from: number, to: number): number => {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let q = from; q <= to && q + HEADER < buf.length; q++) {
    const len = view.getUint32(q, true);
    if (len === 0 || q + HEADER + len > buf.length) continue;
    const kind = buf[q + HEADER];
    if (kind === RecordKind.HardState) {
      if (len !== HARD_STATE_BODY) continue;
    } else if (kind === RecordKind.SnapshotMarker) {
      if (len !== MARKER_BODY) continue;
    } else if (kind === RecordKind.Entry) {
      if (len < ENTRY_BODY || view.getUint32(q + HEADER + ENTRY_BODY - 4, true) !== len - ENTRY_BODY) continue;
    } else {
      continue;
    }
    const body = buf.subarray(q + HEADER, q + HEADER + len);
    if (crc32c(body) !== view.getUint32(q + 4, true)) continue;
    try {
      decodeBody(body);
    } catch {
      continue;
    }
    return q;
  }
  return -1;
};
