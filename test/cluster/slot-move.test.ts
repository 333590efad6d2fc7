// Two replica sets of three nodes in this process, serving Notes sharded by notebook: set 1 owns
// every slot, set 2 none. The mover moves slots to set 2 over the tunnel; the records and the
// session results go with them, set 1 answers MOVED, and a move stopped half-way is finished by
// running it again.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlotElsewhereError, slotOf, type ReplicaNode, type SlotState } from "rony-ts/runtime/cluster";
import { NotesService } from "../../generated/examples/notes.rony.js";
import { SlotAdminKind } from "../../generated/rony/slots.js";
import { SlotAdminMethods } from "../../runtime/cluster/slots/slot-admin-rpcs.js";
import { moveSlots, slotTables, type MoverNode } from "../../runtime/cluster/slots/slot-mover.js";
import { SlotRanges } from "../../runtime/cluster/slots/slot-ranges.js";
import { openTunnel } from "../../runtime/cluster/tunnel-client.js";
import { repoRoot } from "../support/run-plugin.js";
import { SECRET, membersOn } from "./replica-set.js";
import { startShardedNotesNode } from "./sharded-notes.js";
import { SlotFollowingClient } from "./slot-client.js";

const note = (notebook: string, slug: string) => ({ notebook, slug, title: slug, body: "", tags: [] });
const { create, get } = NotesService.methods;

describe("moving slots between two replica sets in one process", () => {
  let root = "";
  const sets = new Map<number, ReplicaNode[]>();
  let moverNodes: MoverNode[] = [];
  let client: SlotFollowingClient;
  const changes: SlotState[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "slot-move-"));
    for (const [set, slots] of [[1, "0-16383"], [2, ""]] as const) {
      const members = await membersOn([1, 2, 3]);
      sets.set(set, await Promise.all(members.map((m) => startShardedNotesNode({ id: m.id, replicaSet: set, slots, dataDir: join(root, `s${set}n${m.id}`), members }))));
    }
    moverNodes = [...sets].flatMap(([set, nodes]) => nodes.map((n) => ({ id: n.clusterId, replicaSet: set, host: "127.0.0.1", port: n.edge.port })));
    client = new SlotFollowingClient(new Map([...sets].map(([set, nodes]) => [set, nodes.map((n) => `ws://127.0.0.1:${n.edge.port}/ws`)])), 1);
    sets.get(2)![0]!.onSlotChange((s) => changes.push(s));
  });
  afterAll(async () => {
    client?.close();
    for (const nodes of sets.values()) for (const n of nodes) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("moves a slot's records to the new set, which serves them, while the old one answers MOVED", async () => {
    for (let i = 0; i < 30; i++) await client.call(create, note(`nb${i % 5}`, `s${i}`), `nb${i % 5}`);
    const slots = SlotRanges.of([slotOf("nb0"), slotOf("nb1")]);
    const report = await moveSlots({ secret: SECRET, nodes: moverNodes, to: 2, slots, chunkBytes: 256 });
    expect(report).toMatchObject({ epoch: 2, moved: [{ from: 1, slots: slots.toString(), records: 12 }] });

    for (const node of sets.get(2)!) await until(() => node.slotState().owned === slots.toString());
    for (const node of sets.get(1)!) await until(() => node.slotState().epoch === 2);
    expect(sets.get(1)![0]!.slotState()).toEqual({ epoch: 2, owned: SlotRanges.ALL.minus(slots).toString(), moving: "" });
    expect(changes.at(-1)).toEqual({ epoch: 2, owned: slots.toString(), moving: "" });

    const before = client.moved;
    expect(await client.call(get, { notebook: "nb0", id: 6n }, "nb0")).toMatchObject({ slug: "s25" });
    expect(client.moved).toBe(before + 1);
    expect(await client.call(get, { notebook: "nb2", id: 1n }, "nb2")).toMatchObject({ slug: "s2" });
    // set 1's table says where the slots went; its nodes answer MOVED with the new owner and epoch
    const tables = await slotTables({ secret: SECRET, nodes: moverNodes });
    const gone = tables.get(1)!.runs.filter((r) => r.state === "gone");
    expect(gone.map((r) => [r.peer, r.epoch])).toEqual([[2, 2], [2, 2]]);
    expect(gone.map((r) => SlotRanges.parse(r.slots)).reduce((a, b) => a.union(b)).equals(slots)).toBe(true);
    const direct = await sets.get(1)![0]!.leaderTransport().call(get, { notebook: "nb1", id: 1n }).catch((e: unknown) => e);
    expect(SlotElsewhereError.from(direct), String(direct)).toMatchObject({ owner: 2, moving: false, epoch: 2 });
    // running the same move again changes nothing
    expect((await moveSlots({ secret: SECRET, nodes: moverNodes, to: 2, slots })).moved).toEqual([]);
  });

  it("finishes a move that stopped after the freeze and part of the import when it is run again", async () => {
    const slot = slotOf("nb3");
    const slots = SlotRanges.of([slot]).toString();
    const tunnelTo = (node: ReplicaNode) => openTunnel({ secret: SECRET, from: "test", to: node.clusterId, host: "127.0.0.1", port: node.edge.port, timeoutMs: 5000 });
    const one = tunnelTo(sets.get(1)![1]!);
    const two = tunnelTo(sets.get(2)![2]!);
    try {
      const change = { peer: 0, epoch: 0, clear: false, chunk: undefined, slots };
      await one.call(SlotAdminMethods.change, { ...change, kind: SlotAdminKind.SLOT_FREEZE, peer: 2 });
      const part = await one.call(SlotAdminMethods.export, { slots, cursor: 0, maxBytes: 1 });
      await two.call(SlotAdminMethods.change, { ...change, kind: SlotAdminKind.SLOT_IMPORT, peer: 1, clear: true, chunk: part.chunk });
      // meanwhile a call for the slot is refused as moving, on every node of set 1
      const refused = await sets.get(1)![2]!.leaderTransport().call(create, note("nb3", "late")).catch((e: unknown) => e);
      expect(SlotElsewhereError.from(refused)).toMatchObject({ slot, owner: 2, moving: true });
    } finally {
      one.close();
      two.close();
    }
    const report = await moveSlots({ secret: SECRET, nodes: moverNodes, to: 2, slots: SlotRanges.parse(slots) });
    expect(report.moved).toEqual([{ from: 1, slots, records: 6, sessionResults: 6 }]);
    for (let id = 1n; id <= 6n; id++) expect(await client.call(get, { notebook: "nb3", id }, "nb3")).toMatchObject({ notebook: "nb3" });
    expect(await client.call(create, note("nb3", "after"), "nb3")).toMatchObject({ id: 7n });
  });

  it("rony-ts cluster move and cluster slots do the same from the command line", async () => {
    const nodes = moverNodes.map((n) => `${n.id}@${n.host}:${n.port}`).join(",");
    const slot = String(slotOf("nb4"));
    const moved = await rony({ MY_SECRET: SECRET }, "cluster", "move", "--to", "2", "--slots", slot, "--nodes", nodes, "--secret-env", "MY_SECRET");
    expect(moved.stderr).toBe("");
    expect(moved.stdout).toMatch(new RegExp(`freezing ${slot} on replica set 1[\\s\\S]*done: replica set 2 serves ${slot} at epoch 4`));
    expect(moved.status).toBe(0);
    const listed = await rony({ RONY_CLUSTER_SECRET: SECRET }, "cluster", "slots", "--nodes", nodes);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`replica set 2 \\(leader \\d, epoch 4\\): 4 slots `));
    expect(listed.stdout).toMatch(new RegExp(`  ${slot} gone to replica set 2 \\(epoch 4\\)`));
    expect(await client.call(get, { notebook: "nb4", id: 1n }, "nb4")).toMatchObject({ slug: "s4" });

    const noSecret = await rony({}, "cluster", "slots", "--nodes", nodes);
    expect(noSecret).toMatchObject({ status: 2, stderr: expect.stringMatching(/cluster secret is read from \$RONY_CLUSTER_SECRET, which is not set/) });
    const badNodes = await rony({ RONY_CLUSTER_SECRET: SECRET }, "cluster", "slots", "--nodes", "127.0.0.1:7001");
    expect(badNodes).toMatchObject({ status: 2, stderr: expect.stringMatching(/"127.0.0.1:7001" is not <replicaSet>:<raftId>@host:port/) });
    const badSlots = await rony({ RONY_CLUSTER_SECRET: SECRET }, "cluster", "move", "--to", "2", "--slots", "5-3", "--nodes", nodes);
    expect(badSlots).toMatchObject({ status: 2, stderr: expect.stringMatching(/the range 5-3 is reversed/) });
  });

  it("refuses a move of slots nobody serves, to a set not given, or while they move elsewhere", async () => {
    await expect(moveSlots({ secret: SECRET, nodes: moverNodes, to: 3, slots: SlotRanges.parse("1") })).rejects.toThrow(/replica set 3 is not among the nodes given/);
    await expect(moveSlots({ secret: SECRET, nodes: moverNodes.filter((n) => n.replicaSet === 2), to: 2, slots: SlotRanges.parse("1") })).rejects.toThrow(/slots 1 are served by no replica set given/);
    await expect(moveSlots({ secret: SECRET, nodes: moverNodes, to: 2, slots: SlotRanges.NONE })).rejects.toThrow(/no slots to move/);
    await expect(moveSlots({ secret: "not-the-cluster-secret", nodes: moverNodes, to: 2, slots: SlotRanges.parse("1"), timeoutMs: 300 })).rejects.toThrow(/did not answer/);
  });

  it("waits out a member that does not answer once, not on every call (the member that answered goes first)", async () => {
    // A node of set 1 that accepts connections and never answers, listed first: as a leader
    // killed during a move is. Before, every admin call tried it first and waited its deadline.
    const silent = createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
    const dead: MoverNode = { id: "1:9", replicaSet: 1, host: "127.0.0.1", port: (silent.address() as AddressInfo).port };
    try {
      const slots = SlotRanges.of([slotOf("nb2")]);
      const started = Date.now();
      // Small chunks: the export alone is several calls to set 1.
      const report = await moveSlots({ secret: SECRET, nodes: [dead, ...moverNodes], to: 2, slots, chunkBytes: 64, timeoutMs: 1_000 });
      expect(report.moved[0]!.records).toBe(6);
      // One deadline for the silent member; ten or more calls to set 1 would wait ten of them.
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      silent.close();
    }
    for (let id = 1n; id <= 6n; id++) expect(await client.call(get, { notebook: "nb2", id }, "nb2")).toMatchObject({ notebook: "nb2" });
  });
});

/** The CLI as a child process (the cluster it talks to runs in this process). */
function rony(env: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const loader = `file://${join(repoRoot, "node_modules/tsx/dist/loader.mjs")}`;
  const child = spawn(process.execPath, ["--conditions=source", "--import", loader, join(repoRoot, "cli/rony-ts.ts"), ...args], { cwd: repoRoot, env: { ...process.env, RONY_CLUSTER_SECRET: "", ...env } });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
}
