// Durable Storage: a write-ahead log and snapshot files under one directory, mirrored in memory
// for the core to read. save() returns only once a Ready's state is on disk (O_DSYNC), which is
// what allows the driver to acknowledge anything.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { RaftError } from "../core/errors.js";
import type { ConfState, Entry, HardState, Snapshot } from "../core/types.js";
import { emptyHardState, isEmptyHardState } from "../core/types.js";
import type { Storage } from "../core/storage.js";
import { MemoryStorage } from "../core/storage.js";
import { bootstrapEntries } from "../core/bootstrap.js";
import { Snapshotter } from "./snapshotter.js";
import type { WalOptions } from "./wal.js";
import { Wal } from "./wal.js";
import type { WalRecord } from "./wal-record.js";
import { RecordKind } from "./wal-record.js";

export interface Recovery {
  /** Entries replayed from the log (after the snapshot). */
  entries: number;
  snapshotIndex: number;
  tornBytes: number;
  tornReason?: string;
}

export class DiskStorage implements Storage {
  readonly mem = new MemoryStorage();
  recovery!: Recovery;
  private deferredHardState: HardState | undefined;

  private constructor(
    private readonly wal: Wal,
    private readonly snapshotter: Snapshotter,
  ) {}

  /** Opens (and recovers) the storage in dir; a new directory is bootstrapped with `voters`, if given. */
  static async open(dir: string, voters: number[] = [], opts: WalOptions = {}): Promise<DiskStorage> {
    const walDir = join(dir, "wal");
    const snapDir = join(dir, "snap");
    await mkdir(walDir, { recursive: true });
    await mkdir(snapDir, { recursive: true });
    const snapshotter = new Snapshotter(snapDir);
    const snap = await snapshotter.loadLatest();
    const { wal, records, tornBytes, tornReason } = await Wal.open(walDir, opts);
    const ds = new DiskStorage(wal, snapshotter);
    const replayed = ds.replay(snap, records);
    ds.recovery = { entries: replayed, snapshotIndex: snap?.meta.index ?? 0, tornBytes, tornReason };
    if (!snap && records.length === 0 && voters.length > 0) {
      const boot = bootstrapEntries(voters);
      await ds.save({ hardState: boot.hardState, entries: boot.entries, mustSync: true });
    }
    return ds;
  }

  private replay(snap: Snapshot | undefined, records: WalRecord[]): number {
    let base = 0;
    let entries: Entry[] = [];
    let hs: HardState = emptyHardState();
    for (const r of records) {
      if (r.kind === RecordKind.HardState) {
        hs = r.hardState;
      } else if (r.kind === RecordKind.SnapshotMarker) {
        base = r.index;
        entries = [];
      } else {
        const e = r.entry;
        if (e.index <= base) continue; // before an installed snapshot: void
        if (entries.length === 0) {
          entries.push(e);
          continue;
        }
        const first = entries[0]!.index;
        const last = first + entries.length - 1;
        if (e.index > last + 1) throw new RaftError("WAL_CORRUPT", `gap in log: entry ${e.index} after ${last}`);
        // an entry at or below the last one replaced that suffix (a new leader overwrote it)
        if (e.index < first) entries = [];
        else entries.length = e.index - first;
        entries.push(e);
      }
    }
    const snapIndex = snap?.meta.index ?? 0;
    if (base > snapIndex) throw new RaftError("WAL_CORRUPT", `log starts after a snapshot at ${base}, newest readable snapshot is ${snapIndex}`);
    if (snap) this.mem.applySnapshot(snap);
    const kept = entries.filter((e) => e.index > snapIndex);
    if (kept.length > 0 && kept[0]!.index !== snapIndex + 1)
      throw new RaftError("WAL_CORRUPT", `log resumes at ${kept[0]!.index}, snapshot ends at ${snapIndex}`);
    this.mem.append(kept);
    if (!isEmptyHardState(hs)) {
      if (hs.commit > this.mem.lastIndex()) throw new RaftError("WAL_CORRUPT", `commit ${hs.commit} beyond last entry ${this.mem.lastIndex()}`);
      this.mem.setHardState(hs);
    }
    return kept.length;
  }

  // ---- Storage (read by the core) --------------------------------------------------------

  initialState(): { hardState: HardState; confState: ConfState } {
    return this.mem.initialState();
  }
  entries(lo: number, hi: number, maxSize: number): Entry[] {
    return this.mem.entries(lo, hi, maxSize);
  }
  term(i: number): number {
    return this.mem.term(i);
  }
  lastIndex(): number {
    return this.mem.lastIndex();
  }
  firstIndex(): number {
    return this.mem.firstIndex();
  }
  snapshot(): Snapshot {
    return this.mem.snapshot();
  }

  // ---- writes (by the driver) -------------------------------------------------------------

  /** Persists a Ready's durable parts: snapshot file first, then one WAL write and one fdatasync. */
  async save(rd: { hardState?: HardState; entries: Entry[]; snapshot?: Snapshot; mustSync: boolean }): Promise<void> {
    if (!rd.mustSync && rd.entries.length === 0 && !rd.snapshot) {
      // only the commit index moved: it is volatile in Raft and relearned after a restart, so it
      // rides along with the next durable write instead of costing a write of its own
      if (rd.hardState) {
        this.mem.setHardState(rd.hardState);
        this.deferredHardState = rd.hardState;
      }
      return;
    }
    const records: WalRecord[] = [];
    if (rd.snapshot) {
      await this.snapshotter.save(rd.snapshot);
      records.push({ kind: RecordKind.SnapshotMarker, index: rd.snapshot.meta.index, term: rd.snapshot.meta.term });
    }
    for (const entry of rd.entries) records.push({ kind: RecordKind.Entry, entry });
    const hs = rd.hardState ?? this.deferredHardState;
    if (hs) records.push({ kind: RecordKind.HardState, hardState: hs });
    this.deferredHardState = undefined;
    await this.wal.append(records);
    if (rd.snapshot) this.mem.applySnapshot(rd.snapshot);
    this.mem.append(rd.entries);
    if (rd.hardState) this.mem.setHardState(rd.hardState);
  }

  /**
   * Log compaction (§7): records a snapshot of the state machine at applied index `index`, keeps
   * `keep` entries before it in memory for slow followers, and drops WAL segments it covers.
   */
  async compact(index: number, confState: ConfState, data: Uint8Array, keep: number): Promise<void> {
    const snap = this.mem.createSnapshot(index, confState, data);
    await this.snapshotter.save(snap);
    this.mem.compact(Math.max(index - keep, this.mem.firstIndex()));
    await this.wal.rotate([{ kind: RecordKind.HardState, hardState: this.mem.hardState }]);
    await this.wal.releaseTo(index);
  }

  walSegments(): number {
    return this.wal.segmentCount();
  }

  async close(): Promise<void> {
    await this.wal.close();
  }
}
