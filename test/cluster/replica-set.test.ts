// One replica set of three nodes in this process, over real TCP and real disks: writes replicate
// to every node, followers forward or redirect, the ClusterTransport follows, internal rpcs pass
// only through the tunnel, and the tunnel carries a reply of any size.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, RedirectError, RonyError } from "rony-ts/runtime";
import { ClusterTransport, HttpTransport, WebSocketTransport } from "rony-ts/runtime/client";
import type { ReplicaNode } from "rony-ts/runtime/cluster";
import { EchoClient, EchoClusterStub } from "../../generated/examples/echo.rony.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";
import { membersOn, modelsOf, startNotesNode, type NodeConfig } from "./replica-set.js";

const note = (notebook: string, slug: string, body = "") => ({ notebook, slug, title: slug, body, tags: [] });

async function startSet(root: string, followerCalls: NodeConfig["followerCalls"]): Promise<ReplicaNode[]> {
  const members = await membersOn([1, 2, 3]);
  return Promise.all(members.map((m) => startNotesNode({ id: m.id, dataDir: join(root, `n${m.id}`), members, followerCalls })));
}

async function leaderOf(nodes: readonly ReplicaNode[]): Promise<ReplicaNode> {
  for (let i = 0; i < 500; i++) {
    const leader = nodes.find((n) => n.raft.isLeader());
    if (leader !== undefined) return leader;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no leader");
}

const wsUrl = (n: ReplicaNode) => `ws://127.0.0.1:${n.edge.port}/ws`;

describe("a replica set of three nodes", () => {
  let root = "";
  let nodes: ReplicaNode[] = [];
  const opened: { close(): void }[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "replica-set-"));
    nodes = await startSet(join(root, "forward"), "forward");
  });
  afterAll(async () => {
    for (const t of opened) t.close();
    for (const n of nodes) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  const client = (n: ReplicaNode) => {
    const t = new WebSocketTransport(wsUrl(n), { reconnect: false });
    opened.push(t);
    return new NotesClient(t);
  };

  it("replicates a write made through a follower to every node", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const created = await client(follower).create(note("fwd", "a", "hello"));
    expect(created).toMatchObject({ notebook: "fwd", id: 1n, slug: "a", body: "hello" });
    // follower_ok reads are served by each node from its own state
    for (const n of nodes) {
      const listed = await client(n).list({ notebook: "fwd", limit: 10, cursor: "" });
      expect(listed.notes).toEqual([created]);
    }
    // a read without follower_ok is forwarded to the leader
    expect(await client(follower).get({ notebook: "fwd", id: 1n })).toEqual(created);
  });

  it("answers a handler's typed error the same through a follower", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    await client(leader).create(note("errs", "taken"));
    const dup = await client(follower).create(note("errs", "taken")).catch((e: unknown) => e);
    expect(RonyError.is(dup, ErrorCode.ALREADY_EXISTS)).toBe(true);
  });

  it("tells a write applied on the replica set to the subscribers of every node", async () => {
    const leader = await leaderOf(nodes);
    const streams = nodes.map((n) => modelsOf(n).note.subscribePartition({ notebook: "live" })[Symbol.asyncIterator]());
    const created = await client(leader).create(note("live", "a", "v1"));
    for (const stream of streams) {
      // the current value (none), then the change with its previous value
      const first = await stream.next();
      const update = first.value?.value === null ? (await stream.next()).value : first.value;
      expect(update).toEqual({ value: created, previous: null });
      await stream.return?.();
    }
  });

  it("carries a 1 MiB reply through the tunnel intact", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const body = Array.from({ length: 1024 * 1024 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
    const created = await client(leader).create(note("big", "one", body));
    const read = await client(follower).get({ notebook: "big", id: created.id });
    expect(read.body.length).toBe(1024 * 1024);
    expect(read.body === body).toBe(true);
  });

  it("refuses an internal rpc at the edge and serves it through the tunnel", async () => {
    const [a, b] = nodes as [ReplicaNode, ReplicaNode];
    const edgeWs = new WebSocketTransport(wsUrl(b), { reconnect: false });
    opened.push(edgeWs);
    const refused = await new EchoClusterStub(edgeWs).ping({}).catch((e: unknown) => e);
    expect(RonyError.is(refused, ErrorCode.UNIMPLEMENTED)).toBe(true);
    const overHttp = await new EchoClusterStub(new HttpTransport(`http://127.0.0.1:${b.edge.port}`)).ping({}).catch((e: unknown) => e);
    expect(RonyError.is(overHttp, ErrorCode.UNIMPLEMENTED)).toBe(true);
    expect(await new EchoClusterStub(a.tunnel(b.id)).ping({})).toEqual({ nodeId: `node-${b.id}` });
    // the plain client has no method for it at all
    expect("ping" in new EchoClient(edgeWs)).toBe(false);
  });

  it("refuses a tunnel upgrade without the cluster secret", async () => {
    const node = nodes[0]!;
    for (const headers of [{}, { "x-rony-tunnel": "1.0.abc.def" }, { "x-rony-tunnel": `2.1.${Date.now()}.00.${"0".repeat(64)}` }]) {
      const status = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${node.edge.port}/tunnel`, { headers });
        ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
        ws.on("open", () => resolve(101));
        ws.on("error", () => resolve(-1));
      });
      expect(status).toBe(401);
    }
  });

  it("writes are refused outside a replicated call", async () => {
    const { RaftStore } = await import("rony-ts/runtime");
    const { createNotesModels } = await import("../../generated/examples/notes.models.js");
    const { CallStateMachine } = await import("rony-ts/runtime/cluster");
    const store = new RaftStore("main");
    const models = createNotesModels({ main: store });
    await models.note.insert({ ...note("loose", "a"), id: 1n }); // no replica set yet: a memory store
    new CallStateMachine([store]);
    const refused = await models.note.insert({ ...note("loose", "b"), id: 2n }).catch((e: unknown) => e);
    expect(RonyError.is(refused, ErrorCode.FAILED_PRECONDITION)).toBe(true);
  });
});

describe("followerCalls: redirect", () => {
  let root = "";
  let nodes: ReplicaNode[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "replica-redirect-"));
    nodes = await startSet(root, "redirect");
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("answers a follower's caller with a Redirect to the leader, which the ClusterTransport follows", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const plain = new WebSocketTransport(wsUrl(follower), { reconnect: false });
    const redirected = await new NotesClient(plain).create(note("r", "a")).catch((e: unknown) => e);
    plain.close();
    expect(redirected).toBeInstanceOf(RedirectError);
    expect((redirected as RedirectError).targets[0]?.addresses).toContain(wsUrl(leader));

    for (const protocol of ["ws", "http"] as const) {
      const url = protocol === "ws" ? wsUrl(follower) : `http://127.0.0.1:${follower.edge.port}`;
      const cluster = new ClusterTransport([url], { protocol });
      const created = await new NotesClient(cluster).create(note("r", `via-${protocol}`));
      expect(created.slug).toBe(`via-${protocol}`);
      expect(cluster.currentUrl).toBe(protocol === "ws" ? wsUrl(leader) : `http://127.0.0.1:${leader.edge.port}`);
      cluster.close();
    }
  });

  it("still forwards REST calls, whose callers cannot follow a Redirect envelope", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const res = await fetch(`http://127.0.0.1:${follower.edge.port}/notebooks/rest/notes`, { method: "POST", body: JSON.stringify({ slug: "x", title: "X" }) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ notebook: "rest", slug: "x" });
  });
});
