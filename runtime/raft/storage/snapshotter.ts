// Snapshot files: [u32 crc32c(body)][body], written to a temporary name, synced, renamed and the
// directory synced, so a crash leaves either the old snapshot or the new one, never half of one.
import { open, readFile, readdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Reader, Writer, readSnapshot, writeSnapshot } from "../core/codec.js";
import type { Snapshot } from "../core/types.js";
import { crc32c } from "./crc32c.js";
import { syncDir } from "./fsutil.js";

const KEEP = 3;
const hex = (n: number): string => n.toString(16).padStart(16, "0");
const fileName = (s: Snapshot): string => `${hex(s.meta.term)}-${hex(s.meta.index)}.snap`;
const indexOf = (name: string): number => parseInt(name.slice(17, 33), 16);

export class Snapshotter {
  constructor(private readonly dir: string) {}

  async save(s: Snapshot): Promise<void> {
    const w = new Writer(s.data.length + 64);
    const crcAt = w.reserveU32();
    writeSnapshot(w, s);
    const buf = w.finish();
    w.setU32(crcAt, crc32c(buf.subarray(4)));
    const name = fileName(s);
    const tmp = join(this.dir, `${name}.tmp`);
    const fh = await open(tmp, "w");
    try {
      await fh.write(buf);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    await syncDir(this.dir);
    await this.prune();
  }

  private async list(): Promise<string[]> {
    return (await readdir(this.dir)).filter((n) => /^[0-9a-f]{16}-[0-9a-f]{16}\.snap$/.test(n)).sort((a, b) => indexOf(b) - indexOf(a));
  }

  /** The newest snapshot whose checksum holds; a damaged one is skipped for the one before it. */
  async loadLatest(): Promise<Snapshot | undefined> {
    for (const name of await this.list()) {
      const buf = await readFile(join(this.dir, name));
      if (buf.length < 4) continue;
      const crc = buf.readUInt32LE(0);
      if (crc32c(buf.subarray(4)) !== crc) continue;
      try {
        return readSnapshot(new Reader(buf.subarray(4)));
      } catch {
        continue;
      }
    }
    return undefined;
  }

  private async prune(): Promise<void> {
    const names = await this.list();
    for (const n of names.slice(KEEP)) await rm(join(this.dir, n), { force: true });
    for (const n of await readdir(this.dir)) if (n.endsWith(".tmp")) await rm(join(this.dir, n), { force: true });
  }
}
