// What the core reads from stable storage (etcd's Storage interface). Writes go through the driver.
import { RaftError } from "./errors.js";
import type { ConfState, Entry, HardState, Snapshot } from "./types.js";
import { emptyHardState, emptySnapshot } from "./types.js";

export interface Storage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one if any exist, capped at maxSize bytes. Throws COMPACTED / UNAVAILABLE. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  /** Term of entry i, for i in [firstIndex-1, lastIndex]. Throws COMPACTED / UNAVAILABLE. */
  term(i: number): number;
  lastIndex(): number;
  firstIndex(): number;
  snapshot(): Snapshot;
}

export const entrySize = (e: Entry): number => e.data.length + 24;

/** Keeps entries while the total stays under maxSize, but always at least one. */
export const limitSize = (ents: Entry[], maxSize: number): Entry[] => {
  if (ents.length === 0) return ents;
  let size = entrySize(ents[0]!);
  let n = 1;
  for (; n < ents.length; n++) {
    size += entrySize(ents[n]!);
    if (size > maxSize) break;
  }
  return n === ents.length ? ents : ents.slice(0, n);
};

/**
 * Storage held in memory. ents[0] is a dummy entry standing for the snapshot point, so the
 * term of the entry just before the first one stays known after compaction.
 */
export class MemoryStorage implements Storage {
  hardState: HardState = emptyHardState();
  snap: Snapshot = emptySnapshot();
  ents: Entry[] = [{ term: 0, index: 0, type: 0, data: new Uint8Array(0) }];

  static withVoters(voters: number[]): MemoryStorage {
    const s = new MemoryStorage();
    s.snap = { ...s.snap, meta: { ...s.snap.meta, confState: { voters: [...voters] } } };
    return s;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: { voters: [...this.snap.meta.confState.voters] } };
  }

  setHardState(h: HardState): void {
    this.hardState = { ...h };
  }

  private offset(): number {
    return this.ents[0]!.index;
  }

  firstIndex(): number {
    return this.offset() + 1;
  }

  lastIndex(): number {
    return this.offset() + this.ents.length - 1;
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const off = this.offset();
    if (lo <= off) throw new RaftError("COMPACTED", `entries from ${lo}, compacted to ${off}`);
    if (hi > this.lastIndex() + 1) throw new RaftError("UNAVAILABLE", `entries to ${hi}, last is ${this.lastIndex()}`);
    return limitSize(this.ents.slice(lo - off, hi - off), maxSize);
  }

  term(i: number): number {
    const off = this.offset();
    if (i < off) throw new RaftError("COMPACTED", `term of ${i}, compacted to ${off}`);
    if (i - off >= this.ents.length) throw new RaftError("UNAVAILABLE", `term of ${i}, last is ${this.lastIndex()}`);
    return this.ents[i - off]!.term;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Replaces everything with the snapshot's state. */
  applySnapshot(s: Snapshot): void {
    if (this.snap.meta.index >= s.meta.index) throw new RaftError("SNAPSHOT_OUT_OF_DATE", `have ${this.snap.meta.index}, got ${s.meta.index}`);
    this.snap = s;
    this.ents = [{ term: s.meta.term, index: s.meta.index, type: 0, data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the state machine at applied index i (i must be in the log). */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.meta.index) throw new RaftError("SNAPSHOT_OUT_OF_DATE", `have ${this.snap.meta.index}, asked ${i}`);
    if (i > this.lastIndex()) throw new RaftError("UNAVAILABLE", `snapshot at ${i} beyond last ${this.lastIndex()}`);
    this.snap = { meta: { index: i, term: this.term(i), confState: { voters: [...confState.voters] } }, data };
    return this.snap;
  }

  /** Drops entries before compactIndex; the entry at compactIndex becomes the dummy. */
  compact(compactIndex: number): void {
    const off = this.offset();
    if (compactIndex <= off) return;
    if (compactIndex > this.lastIndex()) throw new RaftError("UNAVAILABLE", `compact ${compactIndex} beyond last ${this.lastIndex()}`);
    const i = compactIndex - off;
    const head = this.ents[i]!;
    this.ents = [{ term: head.term, index: head.index, type: 0, data: new Uint8Array(0) }, ...this.ents.slice(i + 1)];
  }

  /** Appends entries, replacing any conflicting suffix. */
  append(entries: Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return; // all compacted already
    if (first > entries[0]!.index) entries = entries.slice(first - entries[0]!.index);
    const offset = entries[0]!.index - this.offset();
    if (offset > this.ents.length) throw new RaftError("UNAVAILABLE", `gap: append at ${entries[0]!.index}, last ${this.lastIndex()}`);
    this.ents = this.ents.slice(0, offset).concat(entries);
  }
}
