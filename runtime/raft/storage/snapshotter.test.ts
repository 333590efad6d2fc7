import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Snapshot } from "../core/types.js";
import { Snapshotter } from "./snapshotter.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "raft-snap-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const snap = (index: number): Snapshot => ({ meta: { index, term: 2, confState: { voters: [1, 2, 3] } }, data: new TextEncoder().encode(`state@${index}`) });

describe("snapshot files", () => {
  it("loads the newest snapshot and keeps only the three newest", async () => {
    const s = new Snapshotter(dir);
    for (const i of [10, 20, 30, 40]) await s.save(snap(i));
    expect((await s.loadLatest())?.meta.index).toBe(40);
    expect((await readdir(dir)).filter((n) => n.endsWith(".snap"))).toHaveLength(3);
  });

  it("skips a damaged newest snapshot for the one before it", async () => {
    const s = new Snapshotter(dir);
    await s.save(snap(10));
    await s.save(snap(20));
    const newest = (await readdir(dir)).filter((n) => n.endsWith(".snap")).sort().pop()!;
    const buf = await readFile(join(dir, newest));
    buf[buf.length - 1]! ^= 1;
    await writeFile(join(dir, newest), buf);
    const got = await s.loadLatest();
    expect(got?.meta.index).toBe(10);
    expect(new TextDecoder().decode(got!.data)).toBe("state@10");
  });

  it("ignores a half-written temporary file left by a crash", async () => {
    const s = new Snapshotter(dir);
    await s.save(snap(10));
    await writeFile(join(dir, "0000000000000002-0000000000000063.snap.tmp"), Buffer.from("half"));
    expect((await s.loadLatest())?.meta.index).toBe(10);
  });
});
