// The status page in a real browser: six node processes of the cluster demo (two replica sets of
// three), headless Chromium on one node's /cluster; slots move between the sets and the page shows
// the new ranges; a leader is SIGKILLed and the page shows it down, then its set's new leader; the
// page's own node is killed and the page says so.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { SlotRanges } from "rony-ts/runtime/cluster";
import { twoSetLayout, writeLayout } from "../../demo/cluster-layout.js";
import { moveSlots } from "../../runtime/cluster/slots/slot-mover.js";
import { unusedPort } from "../support/redis-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const nodeScript = fileURLToPath(new URL("../../demo/cluster-node.ts", import.meta.url));
const SECRET = "test-cluster-secret-0123456789";

const procs = new Map<string, ChildProcess>();
let browser: Browser | undefined;
let dataDir = "";

afterAll(async () => {
  for (const p of procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  await browser?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startNode(layoutPath: string, id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", nodeScript, layoutPath, id], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    procs.set(id, p);
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`node ${id} did not start: ${err}`)), 60_000);
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/^READY /m.test(out)) {
        clearTimeout(t);
        resolve();
      }
    });
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code, signal) => {
      clearTimeout(t);
      if (signal !== "SIGKILL") reject(new Error(`node ${id} exited ${code ?? signal}: ${err}`));
    });
  });
}

/** What the page shows now: each node row's state and role, each set's leader. */
function shown(page: Page): Promise<{ nodes: Record<string, { reachable: string; role: string; text: string }>; leaders: Record<string, string>; slots: Record<string, string>; state: string }> {
  return page.evaluate(() => {
    const nodes: Record<string, { reachable: string; role: string; text: string }> = {};
    for (const row of Array.from(document.querySelectorAll<HTMLElement>("tr[data-node]"))) nodes[row.dataset["node"]!] = { reachable: row.dataset["reachable"]!, role: row.dataset["role"]!, text: row.textContent ?? "" };
    const leaders: Record<string, string> = {};
    const slots: Record<string, string> = {};
    for (const set of Array.from(document.querySelectorAll<HTMLElement>("[data-set]"))) {
      leaders[set.dataset["set"]!] = set.dataset["leader"]!;
      slots[set.dataset["set"]!] = set.dataset["slots"]!;
    }
    return { nodes, leaders, slots, state: document.body.dataset["state"] ?? "" };
  });
}

async function until(page: Page, what: string, ok: (s: Awaited<ReturnType<typeof shown>>) => boolean, timeoutMs = 30_000): Promise<Awaited<ReturnType<typeof shown>>> {
  const deadline = Date.now() + timeoutMs;
  let last = await shown(page);
  while (!ok(last)) {
    if (Date.now() > deadline) throw new Error(`the page never showed ${what}; it shows ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 200));
    last = await shown(page);
  }
  return last;
}

describe("the cluster status page in Chromium", () => {
  it("shows moved slots, a SIGKILLed leader down, then its set's new leader, and says when its own node is gone", async () => {
    dataDir = await mkdtemp(join(tmpdir(), "status-browser-"));
    const ports: number[] = [];
    for (let i = 0; i < 12; i++) ports.push(await unusedPort());
    const layout = twoSetLayout(ports, dataDir, SECRET);
    const layoutPath = writeLayout(layout);
    const ids = layout.sets.flatMap((s) => s.members.map((m) => `${s.id}:${m.id}`));
    await Promise.all(ids.map((id) => startNode(layoutPath, id)));

    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${layout.sets[0]!.members[0]!.edge.port}/cluster`);

    const healthy = await until(page, "six live nodes and two leaders", (s) => Object.keys(s.nodes).length === 6 && Object.values(s.nodes).every((n) => n.reachable === "true") && s.leaders["1"] !== "" && s.leaders["2"] !== "" && s.leaders["1"] !== undefined && s.leaders["2"] !== undefined);
    expect(Object.keys(healthy.nodes)).toEqual(ids);
    expect(await page.textContent("#served")).toBe("16384");
    expect(healthy.slots).toEqual({ "1": "0-8191", "2": "8192-16383" });

    const nodes = layout.sets.flatMap((set) => set.members.map((m) => ({ id: `${set.id}:${m.id}`, replicaSet: set.id, host: m.edge.host, port: m.edge.port })));
    await moveSlots({ secret: SECRET, nodes, to: 2, slots: SlotRanges.parse("0-99") });
    await until(page, "slots 0-99 moved to set 2", (s) => s.slots["1"] === "100-8191" && s.slots["2"] === "0-99,8192-16383");
    expect(await page.textContent("#served")).toBe("16384");

    const killed = healthy.leaders["2"]!;
    procs.get(killed)!.kill("SIGKILL");
    const down = await until(page, `${killed} down`, (s) => s.nodes[killed]?.reachable === "false");
    expect(down.nodes[killed]!.text).toContain("DOWN");
    const after = await until(page, "a new leader of set 2", (s) => s.leaders["2"] !== "" && s.leaders["2"] !== killed);
    expect(after.nodes[after.leaders["2"]!]!.role).toBe("leader");
    expect(after.nodes[killed]!.reachable).toBe("false");

    procs.get("1:1")!.kill("SIGKILL");
    await until(page, "that its own node does not answer", (s) => s.state === "unreachable");
    expect(await page.isVisible("#banner")).toBe(true);
    expect(errors).toEqual([]);
  }, 180_000);
});
