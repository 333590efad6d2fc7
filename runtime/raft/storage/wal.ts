// The write-ahead log: numbered segment files of checksummed records. Appends are one write and
// one fdatasync per batch (group commit). On open, a torn tail of the last segment is cut off;
// damage anywhere else is corruption and stops the node.
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { open, readFile, readdir, rm, truncate } from "node:fs/promises";
import { join } from "node:path";
import { RaftError } from "../core/errors.js";
import { syncDir } from "./fsutil.js";
import type { WalRecord } from "./wal-record.js";
import { RecordKind, decodeRecords, encodeRecords } from "./wal-record.js";

const SEGMENT_BYTES = 64 * 1024 * 1024;
// O_DSYNC: each write returns once its data is on disk — one system call (one trip to libuv's
// thread pool) instead of write() then fdatasync(), which measurably shortens every commit.
const SYNC_APPEND = constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_DSYNC;
const segName = (seq: number): string => `${seq.toString().padStart(16, "0")}.wal`;

interface Segment {
  seq: number;
  /** Highest entry index written to it, 0 if none: a segment at or below a snapshot can go. */
  maxIndex: number;
}

export interface WalOpenResult {
  wal: Wal;
  records: WalRecord[];
  /** Bytes cut from the tail of the last segment, and why. */
  tornBytes: number;
  tornReason?: string;
}

export class Wal {
  private size = 0;

  private constructor(
    private readonly dir: string,
    private fh: FileHandle,
    private segments: Segment[],
  ) {}

  static async open(dir: string): Promise<WalOpenResult> {
    const names = (await readdir(dir)).filter((n) => /^\d{16}\.wal$/.test(n)).sort();
    const records: WalRecord[] = [];
    const segments: Segment[] = [];
    let tornBytes = 0;
    let tornReason: string | undefined;
    for (let i = 0; i < names.length; i++) {
      const path = join(dir, names[i]!);
      const buf = await readFile(path);
      const dec = decodeRecords(buf);
      const last = i === names.length - 1;
      if (dec.validLength < buf.length) {
        if (!last) throw new RaftError("WAL_CORRUPT", `${names[i]}: ${dec.reason} at byte ${dec.validLength} of a sealed segment`);
        // a crash in the middle of the last write: cut the tail, it was never acknowledged
        tornBytes = buf.length - dec.validLength;
        tornReason = dec.reason;
        await truncate(path, dec.validLength);
      }
      let maxIndex = 0;
      for (const r of dec.records) if (r.kind === RecordKind.Entry) maxIndex = Math.max(maxIndex, r.entry.index);
      segments.push({ seq: Number(names[i]!.slice(0, 16)), maxIndex });
      records.push(...dec.records);
    }
    if (segments.length === 0) segments.push({ seq: 1, maxIndex: 0 });
    const current = segments[segments.length - 1]!;
    const fh = await open(join(dir, segName(current.seq)), SYNC_APPEND, 0o644);
    if (tornBytes > 0) await fh.sync();
    const wal = new Wal(dir, fh, segments);
    wal.size = (await fh.stat()).size;
    if (names.length === 0) await syncDir(dir);
    return { wal, records, tornBytes, tornReason };
  }

  /** Appends records and returns once they are on disk (the segment is opened O_DSYNC). */
  async append(records: WalRecord[]): Promise<void> {
    if (records.length === 0) return;
    const buf = encodeRecords(records);
    await this.fh.write(buf);
    this.size += buf.length;
    const cur = this.segments[this.segments.length - 1]!;
    for (const r of records) if (r.kind === RecordKind.Entry) cur.maxIndex = Math.max(cur.maxIndex, r.entry.index);
    if (this.size >= SEGMENT_BYTES) await this.rotate([]);
  }

  /** Starts a new segment that begins with `initial` (the current hard state). */
  async rotate(initial: WalRecord[]): Promise<void> {
    await this.fh.datasync();
    await this.fh.close();
    const seq = this.segments[this.segments.length - 1]!.seq + 1;
    this.fh = await open(join(this.dir, segName(seq)), SYNC_APPEND, 0o644);
    this.segments.push({ seq, maxIndex: 0 });
    this.size = 0;
    await this.append(initial);
    await syncDir(this.dir);
  }

  /** Deletes the oldest sealed segments whose entries a snapshot at `index` covers. */
  async releaseTo(index: number): Promise<number> {
    let n = 0;
    while (this.segments.length > 1 && this.segments[0]!.maxIndex <= index) {
      const s = this.segments.shift()!;
      await rm(join(this.dir, segName(s.seq)), { force: true });
      n++;
    }
    if (n > 0) await syncDir(this.dir);
    return n;
  }

  segmentCount(): number {
    return this.segments.length;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
