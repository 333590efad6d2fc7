// A real three-process cluster on loopback: the leader is killed with SIGKILL under load. A new
// leader must take over and every write acknowledged before or after the crash must be readable;
// the killed server restarts from its disk and serves the same data.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { unusedPort } from "../support/redis-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry = fileURLToPath(new URL("./kv-process.ts", import.meta.url));


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const procs = new Map<number, ChildProcess>();
let dataRoot = "";

afterAll(async () => {
  for (const p of procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
});

const spawnNode = (id: number, cfg: object): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", entry, JSON.stringify(cfg)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    procs.set(id, p);
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`node ${id} did not start: ${err}`)), 30_000);
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("READY")) {
        clearTimeout(t);
        resolve(p);
      }
    });
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => {
      clearTimeout(t);
      if (!out.includes("READY")) reject(new Error(`node ${id} exited ${code}: ${err}`));
    });
  });

interface Status {
  role: string;
  term: number;
  lead: number;
}

describe("three processes on loopback", () => {
  it("survives kill -9 of the leader under load without losing an acknowledged write", async () => {
    dataRoot = await mkdtemp(join(tmpdir(), "raft-3proc-"));
    const ids = [1, 2, 3];
    const secret = randomBytes(32).toString("hex");
    const raftPorts: Record<string, number> = {};
    const httpPorts = new Map<number, number>();
    for (const id of ids) {
      raftPorts[id] = await unusedPort();
      httpPorts.set(id, await unusedPort());
    }
    const cfgOf = (id: number) => ({ id, dataDir: join(dataRoot, `n${id}`), secret, raftPorts, httpPort: httpPorts.get(id)! });
    await Promise.all(ids.map((id) => spawnNode(id, cfgOf(id))));
    const alive = new Set(ids);
    const url = (id: number, path: string) => `http://127.0.0.1:${httpPorts.get(id)}${path}`;

    const findLeader = async (): Promise<{ id: number; term: number }> => {
      for (let i = 0; i < 400; i++) {
        for (const id of alive) {
          try {
            const s = (await (await fetch(url(id, "/status"))).json()) as Status;
            if (s.role === "leader") return { id, term: s.term };
          } catch {
            // down or starting
          }
        }
        await sleep(25);
      }
      throw new Error("no leader");
    };

    let leader = (await findLeader()).id;
    const acked = new Map<string, string>();
    let stop = false;
    let retries = 0;
    const writer = async (w: number) => {
      let target = leader;
      for (let seq = 1; !stop; seq++) {
        const key = `w${w}-${seq}`;
        const value = `v${seq}`;
        // the same (clientId, seq) on every retry: applied once however often it is resent
        for (;;) {
          if (stop) return;
          try {
            const res = await fetch(url(target, "/put"), {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ clientId: `w${w}`, seq, key, value }),
              signal: AbortSignal.timeout(2000),
            });
            const body = (await res.json()) as { leader?: number };
            if (res.status === 200) {
              acked.set(key, value);
              break;
            }
            retries++;
            target = body.leader && alive.has(body.leader) ? body.leader : [...alive][Math.floor(Math.random() * alive.size)]!;
          } catch {
            retries++;
            target = [...alive][Math.floor(Math.random() * alive.size)]!;
          }
          await sleep(20);
        }
      }
    };
    const writers = [1, 2, 3, 4].map((w) => writer(w));

    const until = async (n: number, ms: number) => {
      const t0 = Date.now();
      while (acked.size < n && Date.now() - t0 < ms) await sleep(10);
    };
    await until(200, 20_000);
    const before = acked.size;
    expect(before).toBeGreaterThanOrEqual(200);

    const old = await findLeader();
    procs.get(old.id)!.kill("SIGKILL");
    alive.delete(old.id);
    leader = (await findLeader()).id;
    const next = await findLeader();
    expect(next.id).not.toBe(old.id);
    expect(next.term).toBeGreaterThan(old.term);

    await until(before + 200, 20_000);
    stop = true;
    await Promise.all(writers);
    expect(acked.size).toBeGreaterThanOrEqual(before + 200);

    const readAll = async (id: number) => {
      const missing: string[] = [];
      for (const [k, v] of acked) {
        for (let attempt = 0; ; attempt++) {
          const res = await fetch(url(id, `/get?key=${encodeURIComponent(k)}`));
          const body = (await res.json()) as { value?: string; code?: string };
          if (res.status !== 200 && attempt < 200) {
            await sleep(25); // no leader known yet (a restarted server): a refusal, not an answer
            continue;
          }
          if (body.value !== v) missing.push(`${k}=${v} got ${body.value ?? body.code}`);
          break;
        }
      }
      return missing;
    };
    for (const id of alive) expect(await readAll(id)).toEqual([]);

    // the killed server comes back from its own disk and serves the same data
    await spawnNode(old.id, cfgOf(old.id));
    alive.add(old.id);
    expect(await readAll(old.id)).toEqual([]);
    console.log(`3-process kill -9: ${acked.size} acknowledged writes (${before} before the kill), ${retries} retries, all readable on every server`);
  }, 120_000);
});
