// `npm run demo:cluster` as a user runs it: the launcher starts six node processes, prints what to
// paste, and every command it prints works when pasted; a killed node comes back with the restart
// command the launcher prints; SIGTERM (Ctrl-C) stops every node.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ClusterTransport } from "rony-ts/runtime/client";
import { WalletsClient } from "../../generated/examples/wallets.rony.js";
import { unusedPortBase } from "../support/redis-server.js";

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

/** The twelve ports the demo numbers from its base: edges at 0-2 and 10-12, Raft 100 above them. */
const DEMO_PORTS = [0, 1, 2, 10, 11, 12].flatMap((o) => [o, o + 100]);

function sh(command: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile("bash", ["-c", command], { cwd: root, timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error === null ? 0 : ((error as { code?: number }).code ?? 1), out: stdout + stderr }));
  });
}

describe("npm run demo:cluster", () => {
  it("starts two replica sets of three processes, prints commands that work, and stops them all", async () => {
    const base = await unusedPortBase(DEMO_PORTS);
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

    // Pasted in the order printed: deposit 500 to alice, read it, move 200 to bob, read bob, the
    // status; then move alice's slot to set 2, read her again, print the slot tables.
    const commands = out.split("\n").filter((l) => /^ {2}(curl|npm run|RONY_CLUSTER_SECRET=\S+ npm run) /.test(l)).map((l) => l.trim());
    const printed: string[] = [];
    for (const command of commands) {
      const { code, out: text } = await sh(command);
      expect({ command, code, text }).toMatchObject({ command, code: 0 });
      printed.push(text);
    }
    // npm run prints its own "> …" header lines first
    const json = (text: string) => JSON.parse(text.slice(text.search(/^\{/m))) as unknown;
    expect(printed).toHaveLength(8);
    expect(json(printed[0]!)).toMatchObject({ output: { owner: "alice", balance: "500" } });
    expect(json(printed[1]!)).toMatchObject({ output: { owner: "alice", balance: "500" } });
    expect(json(printed[2]!)).toMatchObject({ output: { from: { owner: "alice", balance: "300" }, to: { owner: "bob", balance: "200" } } });
    expect(json(printed[3]!)).toMatchObject({ owner: "bob", balance: "200" });
    const status = json(printed[4]!) as { replicaSets: { leader: string }[] };
    expect(status).toMatchObject({ format: 1, slotsServed: 16384 });
    expect(status.replicaSets).toMatchObject([{ id: "1", members: 3, reachable: 3, slots: "0-8191" }, { id: "2", members: 3, reachable: 3, slots: "8192-16383" }]);
    expect(status.replicaSets.every((s) => s.leader !== "")).toBe(true);
    expect(printed[5]).toMatch(/done: replica set 2 serves 749 at epoch 2/);
    expect(json(printed[6]!)).toMatchObject({ output: { owner: "alice", balance: "300" } });
    expect(printed[7]).toMatch(/replica set 1 .*8191 slots 0-748,750-8191/);
    expect(printed[7]).toMatch(/replica set 2 .*8193 slots 749,8192-16383/);

    // The TypeScript line, as printed, with the generated client.
    const line = out.split("\n").find((l) => l.includes("new ClusterTransport("))!;
    const urls = [...line.matchAll(/"(ws:\/\/[^"]+)"/g)].map((m) => m[1]!);
    expect(urls).toHaveLength(6);
    expect(line).toContain("{ slotRouting: true }");
    const transport = new ClusterTransport(urls, { slotRouting: true });
    const wallets = new WalletsClient(transport);
    expect(await wallets.get({ owner: "alice" })).toMatchObject({ owner: "alice", balance: 300n });
    const moved = (await (await fetch(`http://127.0.0.1:${base + 11}/cluster/status.json`)).json()) as { replicaSets: unknown[] };
    expect(moved.replicaSets).toMatchObject([{ id: "1", slots: "0-748,750-8191", slotCount: 8191, slotEpoch: 2 }, { id: "2", slots: "749,8192-16383", slotCount: 8193, slotEpoch: 2 }]);
    expect(await wallets.deposit({ owner: "bob", amount: 1n })).toMatchObject({ owner: "bob", balance: 201n });
    transport.close();

    // A SIGKILLed node: the launcher prints how to restart it; restarted so, it is back on the page.
    const victim = pids[out.split("\n").filter((l) => /\] pid \d+, edge/.test(l)).findIndex((l) => l.startsWith("[2:3]"))]!;
    process.kill(victim, "SIGKILL");
    const statusOf23 = async () => ((await (await fetch(`http://127.0.0.1:${base}/cluster/status.json`)).json()) as { nodes: { id: string; reachable: boolean }[] }).nodes.find((n) => n.id === "2:3")!;
    for (let i = 0; i < 100 && (await statusOf23()).reachable; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await statusOf23()).reachable).toBe(false);
    for (let i = 0; i < 100 && !/restart it .* with: /.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const restart = /restart it .* with: (.+)$/m.exec(out)![1]!;
    const restarted = spawn("bash", ["-c", restart], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      let text = "";
      restarted.stdout!.on("data", (d: Buffer) => {
        text += d.toString();
        const ready = /^READY 2:3 (\d+) /m.exec(text);
        if (ready) {
          pids.push(Number(ready[1]));
          resolve();
        }
      });
      restarted.on("exit", (code) => reject(new Error(`the restarted node exited ${code}`)));
    });
    for (let i = 0; i < 100 && !(await statusOf23()).reachable; i++) await new Promise((r) => setTimeout(r, 200));
    expect((await statusOf23()).reachable).toBe(true);
    process.kill(pids[pids.length - 1]!, "SIGTERM");

    launcher.kill("SIGTERM");
    await new Promise((r) => launcher!.once("exit", r));
    for (let i = 0; i < 100 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(pids.filter(alive)).toEqual([]);
  }, 240_000);
});
