// The status page's routes on a replica set of three nodes in this process: each node's
// /cluster/status.json asks the others for their NodeStats through the tunnel; a stopped node is
// shown down within the timeout, then a new leader; NodeStats is internal (refused to clients).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, RonyError, StaticRegistry } from "rony-ts/runtime";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { NODE_STATS, clusterNodeId, replicaNodeStats, serveClusterStatus, type ClusterStatus, type ReplicaNode } from "rony-ts/runtime/cluster";
import { constructorId } from "../../compiler/constructor-id.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";
import { membersOn, startNotesNode } from "./replica-set.js";

const base = (n: ReplicaNode) => `http://127.0.0.1:${n.edge.port}`;

async function statusOf(n: ReplicaNode): Promise<ClusterStatus> {
  const res = await fetch(`${base(n)}/cluster/status.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/json");
  return (await res.json()) as ClusterStatus;
}

/** Polls `n`'s status until `ok` holds (15 s at most). */
async function statusUntil(n: ReplicaNode, ok: (s: ClusterStatus) => boolean): Promise<ClusterStatus> {
  let last: ClusterStatus | undefined;
  for (let i = 0; i < 150; i++) {
    last = await statusOf(n);
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`status never matched; last: ${JSON.stringify(last)}`);
}

describe("the cluster status routes on a replica set", () => {
  let root = "";
  let nodes: ReplicaNode[] = [];
  const stopped = new Set<ReplicaNode>();

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "cluster-status-"));
    const members = await membersOn([1, 2, 3]);
    const registry = new StaticRegistry(
      members.map((m) => ({ id: clusterNodeId(1, m.id), replicaSet: "1", edgeAddress: `127.0.0.1:${m.edge.port}`, tunnelAddress: `127.0.0.1:${m.edge.port}`, role: "follower", leaderTerm: 0, patterns: [] })),
    );
    nodes = await Promise.all(
      members.map((m) =>
        startNotesNode({ id: m.id, dataDir: join(root, `n${m.id}`), members }, (node) => {
          serveClusterStatus(node.edge, {
            self: replicaNodeStats(node, `127.0.0.1:${m.edge.port}`),
            nodes: () => registry.nodes().values(),
            tunnelTo: (a) => node.tunnel(Number(a.id.split(":")[1])),
            timeoutMs: 300,
            cacheMs: 0,
          });
        }),
      ),
    );
  });
  afterAll(async () => {
    for (const n of nodes) if (!stopped.has(n)) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("names its rpc by the FNV-1a constructor ids generated rpcs use", () => {
    expect(NODE_STATS.constructorId).toBe(constructorId("rony.cluster.Status.NodeStats"));
    expect(NODE_STATS.outputConstructorId).toBe(constructorId("rony.cluster.NodeStats"));
  });

  it("serves the page, which polls status.json beside it", async () => {
    const res = await fetch(`${base(nodes[0]!)}/cluster`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('"/status.json"');
  });

  it("shows every node live from any node, with one leader, its indexes and the calls it ran", async () => {
    const status = await statusUntil(nodes[2]!, (s) => s.replicaSets[0]?.leader !== "" && s.nodes.every((n) => n.reachable));
    expect(status.self).toBe("1:3");
    expect(status.nodes.map((n) => n.id)).toEqual(["1:1", "1:2", "1:3"]);
    const set = status.replicaSets[0]!;
    expect(set).toMatchObject({ id: "1", members: 3, reachable: 3, slots: "", slotCount: 0, slotEpoch: 0 });
    const leader = status.nodes.find((n) => n.id === set.leader)!;
    expect(leader.role).toBe("leader");
    expect(set.term).toBe(leader.term);
    // Polled ten times a second, idle nodes still show no calls: NodeStats is not counted as load.
    await new Promise((r) => setTimeout(r, 1_100));
    expect((await statusUntil(nodes[2]!, () => true)).nodes.map((n) => n.callsPerSecond)).toEqual([0, 0, 0]);

    // Calls through a follower: its edge takes them, the leader runs them.
    const follower = nodes.find((n) => clusterNodeId(1, n.id) !== set.leader)!;
    const transport = new WebSocketTransport(`ws://127.0.0.1:${follower.edge.port}/ws`, { reconnect: false });
    const notes = new NotesClient(transport);
    for (let i = 0; i < 30; i++) await notes.create({ notebook: "status", slug: `n${i}`, title: "t", body: "", tags: [] });
    transport.close();
    const busy = await statusOf(nodes[0]!);
    const busySet = busy.replicaSets[0]!;
    expect(busySet.callsPerSecond).toBeGreaterThan(0);
    expect(busySet.commitIndex).toBeGreaterThanOrEqual(set.commitIndex + 30);
    expect(busy.nodes.find((n) => n.id === clusterNodeId(1, follower.id))!.callsPerSecond).toBeGreaterThan(0);
    expect(busy.nodes.find((n) => n.id === set.leader)!.runPerSecond).toBeGreaterThan(0);
  });

  it("refuses NodeStats from a client: it is internal to the cluster", async () => {
    const transport = new WebSocketTransport(`ws://127.0.0.1:${nodes[0]!.edge.port}/ws`, { reconnect: false });
    const e = await transport.call(NODE_STATS, {}).catch((error: unknown) => error);
    transport.close();
    expect(RonyError.is(e, ErrorCode.UNIMPLEMENTED)).toBe(true);
  });

  it("shows a stopped leader down, then the new leader", async () => {
    const before = await statusOf(nodes[0]!);
    const gone = nodes.find((n) => clusterNodeId(1, n.id) === before.replicaSets[0]!.leader)!;
    await gone.stop();
    stopped.add(gone);
    const watcher = nodes.find((n) => n !== gone)!;
    const goneId = clusterNodeId(1, gone.id);
    const after = await statusUntil(watcher, (s) => s.replicaSets[0]!.leader !== "" && s.replicaSets[0]!.leader !== goneId && s.nodes.some((n) => n.id === goneId && !n.reachable));
    expect(after.replicaSets[0]!.reachable).toBe(2);
    expect(after.replicaSets[0]!.term).toBeGreaterThan(before.replicaSets[0]!.term);
    expect(after.nodes.find((n) => n.id === goneId)!.error).not.toBe("");
  });
});
