import { mkdtemp, open, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isRaftError } from "../core/errors.js";
import type { Entry } from "../core/types.js";
import { EntryType } from "../core/types.js";
import { DiskStorage } from "./disk-storage.js";
import { Wal } from "./wal.js";
import { RecordKind, decodeRecords, encodeRecords } from "./wal-record.js";

const e = (term: number, index: number, data = `d${index}`): Entry => ({ term, index, type: EntryType.Normal, data: new TextEncoder().encode(data) });
let dir: string;
const SMALL = { segmentBytes: 64 * 1024 };
/** Where the records of the newest segment end (the rest is preallocated zeros). */
const validEnd = async (file: string): Promise<number> => decodeRecords(await readFile(file)).validLength;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "raft-wal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const walFile = async (): Promise<string> => {
  const names = (await readdir(join(dir, "wal"))).filter((n) => n.endsWith(".wal")).sort();
  return join(dir, "wal", names[names.length - 1]!);
};

describe("write-ahead log records", () => {
  it("round-trip, and a flipped bit ends the valid prefix", () => {
    const buf = encodeRecords([
      { kind: RecordKind.Entry, entry: e(1, 1) },
      { kind: RecordKind.HardState, hardState: { term: 1, vote: 2, commit: 1 } },
    ]);
    expect(decodeRecords(buf).records).toHaveLength(2);
    const bad = buf.slice();
    bad[bad.length - 3]! ^= 0x40;
    const dec = decodeRecords(bad);
    expect(dec.records).toHaveLength(1);
    expect(dec.reason).toBe("checksum mismatch");
  });
});

describe("durable storage", () => {
  it("recovers entries, hard state and bootstrap configuration after a restart", async () => {
    const s = await DiskStorage.open(dir, [1, 2, 3], SMALL);
    await s.save({ entries: [e(2, 4), e(2, 5)], hardState: { term: 2, vote: 1, commit: 4 }, mustSync: true });
    await s.close();
    const r = await DiskStorage.open(dir, [1, 2, 3], SMALL);
    expect(r.lastIndex()).toBe(5);
    expect(r.term(5)).toBe(2);
    expect(r.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 4 });
    expect(r.entries(1, 4, Infinity).map((x) => x.type)).toEqual([EntryType.ConfChange, EntryType.ConfChange, EntryType.ConfChange]);
    await r.close();
  });

  it("replays a suffix overwritten by a later leader", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1), e(1, 2), e(1, 3)], mustSync: true });
    await s.save({ entries: [e(2, 2, "new")], hardState: { term: 2, vote: 0, commit: 2 }, mustSync: true });
    await s.close();
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.lastIndex()).toBe(2);
    expect(new TextDecoder().decode(r.entries(2, 3, Infinity)[0]!.data)).toBe("new");
    await r.close();
  });

  it("zeroes a torn tail on restart and keeps everything before it", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1), e(1, 2)], hardState: { term: 1, vote: 0, commit: 1 }, mustSync: true });
    await s.close();
    const file = await walFile();
    const end = await validEnd(file);
    const size = (await stat(file)).size;
    expect(size).toBe(64 * 1024); // preallocated
    // half of a record: the process died inside write()
    const partial = encodeRecords([{ kind: RecordKind.Entry, entry: e(1, 3, "x".repeat(100)) }]).subarray(0, 60);
    const fh = await open(file, "r+");
    await fh.write(partial, 0, partial.length, end);
    await fh.close();
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.recovery.tornBytes).toBe(60);
    // the partial record is followed by preallocated zeros: its checksum fails
    expect(r.recovery.tornReason).toBe("checksum mismatch");
    expect(r.lastIndex()).toBe(2);
    const after = await readFile(file);
    expect(after.length).toBe(size);
    expect(after.subarray(end).every((b) => b === 0)).toBe(true);
    // and the log keeps working after the repair
    await r.save({ entries: [e(1, 3)], mustSync: true });
    await r.close();
    const again = await DiskStorage.open(dir, [], SMALL);
    expect(again.lastIndex()).toBe(3);
    expect(again.recovery.tornBytes).toBe(0);
    await again.close();
  });

  it("treats a bad checksum in the last record as a torn tail", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1), e(1, 2)], hardState: { term: 1, vote: 0, commit: 0 }, mustSync: true });
    await s.close();
    const file = await walFile();
    const buf = await readFile(file);
    buf[(await validEnd(file)) - 2]! ^= 0xff;
    await writeFile(file, buf);
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.recovery.tornReason).toBe("checksum mismatch");
    expect(r.lastIndex()).toBe(2);
    expect(r.initialState().hardState.term).toBe(0); // the hard state record was the damaged one
    await r.close();
  });

  it("refuses to start on a damaged record followed by valid ones, naming the file and offset, and zeroes nothing", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1), e(1, 2)], hardState: { term: 1, vote: 0, commit: 0 }, mustSync: true });
    await s.save({ entries: [e(1, 3)], hardState: { term: 2, vote: 3, commit: 2 }, mustSync: true }); // acknowledged: a vote
    await s.close();
    const file = await walFile();
    const buf = await readFile(file);
    const second = 8 + buf.readUInt32LE(0); // the record of entry 2
    buf[second + 20]! ^= 0xff;
    await writeFile(file, buf);
    const err = await DiskStorage.open(dir, [], SMALL).catch((x: unknown) => x);
    expect(isRaftError(err, "WAL_CORRUPT")).toBe(true);
    expect((err as Error).message).toMatch(new RegExp(`${file}: checksum mismatch at offset ${second}, followed by a valid record at offset \\d+`));
    // before, this was taken for a torn tail: entry 3 and the vote were zeroed
    expect((await readFile(file)).equals(buf)).toBe(true);
  });

  it("rotates to a new preallocated segment when one fills up, and replays across segments", async () => {
    const s = await DiskStorage.open(dir, [], { segmentBytes: 4096 });
    for (let i = 1; i <= 60; i++) await s.save({ entries: [e(1, i, "y".repeat(200))], mustSync: true });
    expect(s.walSegments()).toBeGreaterThan(2);
    await s.close();
    const r = await DiskStorage.open(dir, [], { segmentBytes: 4096 });
    expect(r.lastIndex()).toBe(60);
    expect(new TextDecoder().decode(r.entries(60, 61, Infinity)[0]!.data)).toBe("y".repeat(200));
    await r.close();
  });

  it("refuses to start when a sealed segment is damaged", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1), e(1, 2)], hardState: { term: 1, vote: 0, commit: 2 }, mustSync: true });
    await s.compact(1, { voters: [1] }, new Uint8Array([1]), 0); // rotates: the first segment is now sealed
    await s.save({ entries: [e(1, 3)], mustSync: true });
    await s.close();
    const names = (await readdir(join(dir, "wal"))).filter((n) => n.endsWith(".wal")).sort();
    expect(names.length).toBe(2);
    const first = join(dir, "wal", names[0]!);
    const buf = await readFile(first);
    buf[12]! ^= 0xff;
    await writeFile(first, buf);
    let err: unknown;
    try {
      await DiskStorage.open(dir, [], SMALL);
    } catch (x) {
      err = x;
    }
    expect(isRaftError(err, "WAL_CORRUPT")).toBe(true);
  });

  it("compaction keeps a snapshot, releases covered segments and recovers from the snapshot", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [1, 2, 3, 4, 5].map((i) => e(1, i)), hardState: { term: 1, vote: 0, commit: 5 }, mustSync: true });
    await s.compact(5, { voters: [1, 2] }, new TextEncoder().encode("state@5"), 0);
    expect(s.walSegments()).toBe(1);
    await s.save({ entries: [e(1, 6)], hardState: { term: 1, vote: 0, commit: 6 }, mustSync: true });
    await s.close();
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.snapshot().meta).toEqual({ index: 5, term: 1, confState: { voters: [1, 2] } });
    expect(new TextDecoder().decode(r.snapshot().data)).toBe("state@5");
    expect(r.firstIndex()).toBe(6);
    expect(r.lastIndex()).toBe(6);
    expect(r.initialState().hardState.commit).toBe(6);
    await r.close();
  });

  it("an installed snapshot voids the log before it, even entries with higher indexes", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => e(1, i)), hardState: { term: 1, vote: 0, commit: 2 }, mustSync: true });
    // the leader's snapshot at 4 (term 3) does not match our entry 4: everything we have is replaced
    await s.save({ snapshot: { meta: { index: 4, term: 3, confState: { voters: [1, 2, 3] } }, data: new Uint8Array([4]) }, entries: [], hardState: { term: 3, vote: 0, commit: 4 }, mustSync: true });
    await s.close();
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.lastIndex()).toBe(4);
    expect(r.term(4)).toBe(3);
    expect(r.initialState().confState.voters).toEqual([1, 2, 3]);
    await r.close();
  });

  it("never mistakes a leftover spare segment for log", async () => {
    const s = await DiskStorage.open(dir, [], SMALL);
    await s.save({ entries: [e(1, 1)], mustSync: true });
    await s.close();
    // a crash while the next segment was being zero-filled in the background
    await writeFile(join(dir, "wal", "next.wal.spare"), Buffer.from("partly filled"));
    const r = await DiskStorage.open(dir, [], SMALL);
    expect(r.lastIndex()).toBe(1);
    expect(r.recovery.tornBytes).toBe(0);
    await r.close();
    const spare = await readFile(join(dir, "wal", "next.wal.spare"));
    expect(spare.length).toBe(SMALL.segmentBytes);
    expect(spare.every((b) => b === 0)).toBe(true);
  });

  it("opens an empty directory with one segment", async () => {
    const { wal, records } = await Wal.open(dir, SMALL);
    expect(records).toEqual([]);
    expect(wal.segmentCount()).toBe(1);
    await wal.close();
  });
});
