// Crash-consistency of the WAL: whatever byte a crash cuts the last segment at, or whichever byte
// of its last record it damages, recovery neither fails nor invents anything — it returns a prefix
// of what was written, and every batch that save() had acknowledged before the damage survives.
// Damage to any earlier record (valid records follow it) is corruption, not a torn write: the
// log refuses to open, naming the file and the damaged record's offset, and changes nothing.
import fc from "fast-check";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Entry } from "../core/types.js";
import { EntryType } from "../core/types.js";
import { isRaftError } from "../core/errors.js";
import { DiskStorage } from "./disk-storage.js";
import { decodeRecords } from "./wal-record.js";

const SMALL = { segmentBytes: 64 * 1024 };

const e = (index: number, size: number): Entry => ({ term: 1, index, type: EntryType.Normal, data: new Uint8Array(size).fill(index & 0xff) });

describe("WAL crash consistency", () => {
  it("recovers a prefix of the acknowledged batches after any truncation or damage to the last record, refuses on damage before it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }), // entries per batch
        fc.integer({ min: 0, max: 200 }), // entry size
        fc.double({ min: 0, max: 1, noNaN: true }), // where the damage lands
        fc.boolean(), // truncate, or flip a byte
        async (batches, size, where, truncate) => {
          const dir = await mkdtemp(join(tmpdir(), "raft-walcrash-"));
          try {
            const s = await DiskStorage.open(dir, [], SMALL);
            let index = 0;
            const ends: number[] = []; // file size after each acknowledged batch
            const file = async () => join(dir, "wal", (await readdir(join(dir, "wal"))).filter((n) => n.endsWith(".wal")).sort().pop()!);
            for (const n of batches) {
              const ents = Array.from({ length: n }, () => e(++index, size));
              await s.save({ entries: ents, hardState: { term: 1, vote: 0, commit: 0 }, mustSync: true });
              ends.push(decodeRecords(await readFile(await file())).validLength);
            }
            await s.close();
            const path = await file();
            const buf = await readFile(path);
            // damage lands within the records written, or just past them
            const at = Math.min(buf.length - 1, Math.floor(where * (ends[ends.length - 1]! + 16)));
            // where each record starts: damage inside any but the last is corruption
            const starts: number[] = [];
            for (let pos = 0; pos < ends[ends.length - 1]!; pos += 8 + buf.readUInt32LE(pos)) starts.push(pos);
            const hit = starts.filter((p) => p <= at).pop() ?? 0;
            if (truncate) await writeFile(path, buf.subarray(0, at));
            else {
              buf[at]! ^= 0x5a;
              await writeFile(path, buf);
            }
            if (!truncate && hit < starts[starts.length - 1]!) {
              const err = await DiskStorage.open(dir, [], SMALL).catch((x: unknown) => x);
              expect(isRaftError(err, "WAL_CORRUPT")).toBe(true);
              expect((err as Error).message).toContain(`${path}: `);
              expect((err as Error).message).toContain(` at offset ${hit}, followed by a valid record`);
              expect((await readFile(path)).equals(buf)).toBe(true); // nothing zeroed
              return;
            }
            const r = await DiskStorage.open(dir, [], SMALL);
            const last = r.lastIndex();
            // everything recovered is exactly what was written
            const got = last === 0 ? [] : r.entries(1, last + 1, Infinity);
            got.forEach((x, i) => {
              expect(x.index).toBe(i + 1);
              expect(x.data.length).toBe(size);
              expect(x.data.every((b) => b === ((i + 1) & 0xff))).toBe(true);
            });
            // and every batch that ended before the damaged byte is there
            let intact = 0;
            for (let b = 0; b < batches.length && ends[b]! <= at; b++) intact += batches[b]!;
            expect(last).toBeGreaterThanOrEqual(intact);
            // the log is usable again: append and recover once more
            await r.save({ entries: [e(last + 1, 1)], mustSync: true });
            await r.close();
            const again = await DiskStorage.open(dir, [], SMALL);
            expect(again.lastIndex()).toBe(last + 1);
            expect(again.recovery.tornBytes).toBe(0);
            await again.close();
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
