// `npm run demo:cluster` as a user runs it: the launcher starts six node processes, prints what to
// paste, and every command it prints works when pasted; SIGTERM (Ctrl-C) stops every node.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { unusedPort } from "../support/redis-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
let launcher: ChildProcess | undefined;
const pids: number[] = [];

afterAll(() => {
  launcher?.kill("SIGKILL");
  for (const pid of pids) if (alive(pid)) process.kill(pid, "SIGKILL");
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** A base port whose twelve demo ports (base + 0-2, 10-12, and 100 above each) are free. */
async function demoBase(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const base = await unusedPort();
    const ports = [0, 1, 2, 10, 11, 12].flatMap((o) => [base + o, base + o + 100]);
    if ((await Promise.all(ports.map(free))).every(Boolean)) return base;
  }
  throw new Error("no free range of demo ports");
}

function sh(command: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", command], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), out: stdout + stderr }));
  });
}

describe("npm run demo:cluster", () => {
  it("starts two replica sets of three processes, prints commands that work, and stops them all", async () => {
    const base = await demoBase();
    launcher = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "demo/cluster.ts", "--port", String(base)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    launcher.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the demo did not start:\n${out}`)), 90_000);
      launcher!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ctrl-C stops every node.")) {
          clearTimeout(t);
          resolve();
        }
      });
      launcher!.on("exit", (code) => reject(new Error(`the demo exited ${code}:\n${out}`)));
    });
    for (const m of out.matchAll(/\] pid (\d+), edge/g)) pids.push(Number(m[1]));
    expect(pids).toHaveLength(6);
    expect(out).toContain(`http://127.0.0.1:${base}/cluster`);

    const commands = out.split("\n").filter((l) => /^ {2}(curl|npm run) /.test(l)).map((l) => l.trim());
    expect(commands.length).toBeGreaterThan(0);
    for (const command of commands) {
      const { code, out: printed } = await sh(command);
      expect({ command, code }).toEqual({ command, code: 0 });
      // each prints JSON: the status, or an rpc's reply
      expect(() => JSON.parse(printed), `${command} printed ${printed}`).not.toThrow();
    }

    launcher.kill("SIGTERM");
    await new Promise((r) => launcher!.once("exit", r));
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  }, 180_000);
});
