// Two replica sets of three ClusterNodes in one process, each node with its own StaticRegistry read
// from one config file (the embedded default on one machine: nobody hears another's
// announcements). Sharded calls reach their owner from every node anyway; then a slot is moved
// from set 1 to set 2 with the slot admin rpcs while a call for it is waiting: the call is held
// while the slot is frozen ("moving"), then follows the MOVED answer to set 2, and every node
// routes the slot to set 2 afterwards, the set-1 nodes having learned it from MOVED.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RaftStore, StaticRegistry, type Announcement } from "rony-ts/runtime";
import { ClusterTransport, WebSocketTransport, slotOf } from "rony-ts/runtime/client";
import { ClusterNode, SlotAdminMethods, openTunnel, type ReplicaMember } from "rony-ts/runtime/cluster";
import { SlotAdminKind, type SlotAdminEntry } from "../../generated/rony/slots.js";
import { sleep } from "../support/redis-server.js";
import { membersOn } from "./replica-set.js";
import { SECRET } from "./shard-node.js";
import { SHARD_READ, SHARD_WRITE, shardHandlers } from "./shard-service.js";

const SETS = [
  { id: 1, slots: "0-8191" },
  { id: 2, slots: "8192-16383" },
] as const;
const KEYS = ["alice", "bob", "carol", "dave", "erin", "frank"];
const ownerOf = (key: string) => (slotOf(key) < 8192 ? 1 : 2);

let dataRoot = "";
const nodes: ClusterNode[] = [];
const clients: WebSocketTransport[] = [];
const registryErrors: string[] = [];

function clientOf(node: ClusterNode): WebSocketTransport {
  const c = new WebSocketTransport(`ws://127.0.0.1:${node.edge.port}/ws`, { timeoutMs: 15_000, reconnect: false });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  dataRoot = await mkdtemp(join(tmpdir(), "sharded-static-"));
  const layout: { set: number; slots: string; members: ReplicaMember[] }[] = [];
  for (const set of SETS) layout.push({ set: set.id, slots: set.slots, members: await membersOn([1, 2, 3]) });
  // The config file: every node, as a follower at term 0, with its set's initial slots at epoch 1.
  const listed: Announcement[] = layout.flatMap(({ set, slots, members }) =>
    members.map((m) => ({ id: `${set}:${m.id}`, replicaSet: String(set), edgeAddress: `127.0.0.1:${m.edge.port}`, tunnelAddress: `127.0.0.1:${m.edge.port}`, role: "follower" as const, leaderTerm: 0, patterns: [], slots, slotEpoch: 1 })),
  );
  const file = join(dataRoot, "cluster.json");
  await writeFile(file, JSON.stringify({ nodes: listed }));
  for (const { set, slots, members } of layout) {
    for (const m of members) {
      const registry = await StaticRegistry.fromFile(file);
      registry.onError = (e) => registryErrors.push(e.message);
      const node = new ClusterNode({ replicaSet: set, id: m.id, dataDir: join(dataRoot, `${set}-${m.id}`), members, slots, secret: SECRET, registry, stores: [new RaftStore("main")], callTimeoutMs: 8_000, edge: { host: "127.0.0.1" }, raft: { tickMs: 20 } });
      const handlers = shardHandlers(set, m.id);
      node.replicated.add(SHARD_WRITE, handlers.write);
      node.replicated.add(SHARD_READ, handlers.read);
      nodes.push(node);
    }
  }
  await Promise.all(nodes.map((n) => n.start()));
  for (const n of nodes) await n.replica.raft.waitForLeader(10_000);
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
});

/** One slot-table change on replica set `set`, sent through the tunnel as a mover would. */
async function change(set: number, entry: Partial<SlotAdminEntry>): Promise<void> {
  const member = nodes.find((n) => n.replica.status().replicaSet === set)!;
  const tunnel = openTunnel({ secret: SECRET, from: "mover-test", to: member.id, host: "127.0.0.1", port: member.edge.port, timeoutMs: 10_000 });
  try {
    await tunnel.call(SlotAdminMethods.change, { kind: SlotAdminKind.SLOT_ADMIN_KIND_UNSPECIFIED, slots: "", peer: 0, epoch: 0, clear: false, chunk: undefined, ...entry });
  } finally {
    tunnel.close();
  }
}

describe("a sharded cluster on the static registry (six nodes in one process)", () => {
  it("runs a sharded call on its owner from every node, though no node hears another's announcements", async () => {
    expect(registryErrors).toEqual([]);
    for (const key of KEYS) {
      for (const node of nodes) {
        const out = await clientOf(node).call(SHARD_WRITE, { key });
        expect({ key, via: node.id, ran: out.replicaSet }).toEqual({ key, via: node.id, ran: ownerOf(key) });
      }
      expect((await clientOf(nodes[0]!).call(SHARD_READ, { key })).writes).toBe(nodes.length);
    }
  }, 60_000);

  it("lets a client learn the slot map from a node and send each call straight to its owner, over WebSocket and HTTP", async () => {
    const forwardedBefore = nodes[0]!.status().forwarded;
    for (const protocol of ["ws", "http"] as const) {
      const entry = protocol === "ws" ? `ws://127.0.0.1:${nodes[0]!.edge.port}/ws` : `http://127.0.0.1:${nodes[0]!.edge.port}`;
      const client = new ClusterTransport([entry], { protocol, slotRouting: true, timeoutMs: 10_000 });
      try {
        for (const key of KEYS) expect({ protocol, key, ran: (await client.call(SHARD_WRITE, { key })).replicaSet }).toEqual({ protocol, key, ran: ownerOf(key) });
        expect([client.ownerOf(0), client.ownerOf(16383)]).toEqual([1, 2]);
      } finally {
        client.close();
      }
    }
    // straight to the owner: the node the client first asked (set 1) forwarded none of set 2's calls
    expect(nodes[0]!.status().forwarded).toBe(forwardedBefore);
  }, 60_000);

  it("holds a call while its slot moves, then follows MOVED to the new owner; every node routes the slot there afterwards", async () => {
    const key = KEYS.find((k) => ownerOf(k) === 1)!;
    const slot = `${slotOf(key)}`;
    const from2 = nodes.find((n) => n.id === "2:1")!;
    await change(1, { kind: SlotAdminKind.SLOT_FREEZE, slots: slot, peer: 2 });
    // Sent while the slot is frozen: set 2's node still believes set 1 owns it.
    const pending = clientOf(from2).call(SHARD_WRITE, { key });
    await sleep(300);
    await change(2, { kind: SlotAdminKind.SLOT_OWN, slots: slot, epoch: 2 });
    await change(1, { kind: SlotAdminKind.SLOT_RELEASE, slots: slot, peer: 2, epoch: 2 });
    const out = await pending;
    // set 2's handlers keep their own counts: the call ran there, once
    expect({ replicaSet: out.replicaSet, writes: out.writes }).toEqual({ replicaSet: 2, writes: 1 });

    for (const node of nodes) expect({ via: node.id, ran: (await clientOf(node).call(SHARD_WRITE, { key })).replicaSet }).toEqual({ via: node.id, ran: 2 });
    for (const node of nodes) expect({ node: node.id, owner: node.view.slots.ownerOf(Number(slot)) }).toEqual({ node: node.id, owner: { replicaSet: 2, epoch: 2 } });
    const rerouted = nodes.filter((n) => n.id.startsWith("1:")).reduce((sum, n) => sum + n.status().rerouted, 0);
    expect(rerouted).toBeGreaterThan(0);
    expect((await clientOf(nodes[0]!).call(SHARD_READ, { key })).writes).toBe(1 + nodes.length);
  }, 60_000);
});
