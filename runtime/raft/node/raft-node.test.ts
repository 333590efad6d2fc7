// Three RaftNodes in one process over real TCP on loopback and real disks.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isRaftError } from "../core/errors.js";
import { ConfChangeType } from "../core/types.js";
import { KvNode } from "../kv/kv-node.js";
import type { PeerAddress } from "../transport/tcp-transport.js";

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const startCluster = async (n: number, extra: { snapshotEntries?: number; compactionMargin?: number } = {}, spare = 0) => {
  const root = await mkdtemp(join(tmpdir(), "raft-node-"));
  cleanup.push(() => rm(root, { recursive: true, force: true }));
  const peers = new Map<number, PeerAddress>();
  for (let id = 1; id <= n + spare; id++) peers.set(id, { host: "127.0.0.1", port: await freePort() });
  const ids = [...peers.keys()].slice(0, n);
  const start = (id: number) =>
    KvNode.start({ id, dataDir: join(root, `n${id}`), peers: new Map(peers), bootstrap: ids.includes(id) ? ids : [], tickMs: 10, walSegmentBytes: 1024 * 1024, ...extra });
  const nodes = new Map<number, KvNode>();
  for (const id of ids) nodes.set(id, await start(id));
  cleanup.push(async () => {
    for (const k of nodes.values()) await k.stop();
  });
  return { nodes, start, ids };
};

const leaderOf = async (nodes: Map<number, KvNode>): Promise<KvNode> => {
  for (let i = 0; i < 500; i++) {
    for (const k of nodes.values()) if (k.raft.isLeader()) return k;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no leader");
};

/** Retries what a client would retry: no leader known yet, leadership moving, a read not yet confirmed. */
const eventually = async <T>(f: () => Promise<T>): Promise<T> => {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if (i > 300 || !(isRaftError(e, "NOT_LEADER") || isRaftError(e, "TIMEOUT") || isRaftError(e, "LEADERSHIP_LOST"))) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
};

describe("RaftNode over TCP and disk", () => {
  it("elects a leader, replicates writes and serves linearizable reads on every node", async () => {
    const { nodes } = await startCluster(3);
    const l = await leaderOf(nodes);
    for (let i = 0; i < 20; i++) await l.put("c", i + 1, `k${i % 3}`, `v${i}`);
    for (const k of nodes.values()) {
      if (k === l) continue;
      // a follower forwards the read index request to the leader, then waits to have applied it
      expect(await k.get("k1")).toBe("v19");
    }
    expect(await l.get("k0")).toBe("v18");
  });

  it("a follower refuses a proposal and names the leader", async () => {
    const { nodes } = await startCluster(3);
    const l = await leaderOf(nodes);
    await l.put("c", 1, "a", "1");
    const f = [...nodes.values()].find((k) => k !== l)!;
    let err: unknown;
    try {
      await f.put("c", 2, "a", "2");
    } catch (e) {
      err = e;
    }
    expect(isRaftError(err, "NOT_LEADER")).toBe(true);
    expect((err as { leader: number }).leader).toBe(l.raft.id);
  });

  it("recovers its state from disk after a restart, snapshots and compaction included", async () => {
    const { nodes, start } = await startCluster(3, { snapshotEntries: 20, compactionMargin: 5 });
    const l = await leaderOf(nodes);
    for (let i = 0; i < 60; i++) await l.put("c", i + 1, `k${i % 5}`, `v${i}`);
    // restart everyone: state must come back from snapshot + WAL
    for (const [id, k] of nodes) {
      await k.stop();
      nodes.delete(id);
    }
    for (const id of [1, 2, 3]) nodes.set(id, await start(id));
    // Three nodes starting at once may elect twice: ask whoever leads now, as a client would.
    const leading = <T>(f: (k: KvNode) => Promise<T>) => eventually(async () => f(await leaderOf(nodes)));
    expect(await leading((k) => k.get("k4"))).toBe("v59");
    // the sessions came back too: a retry of an old request is not applied again
    const again = await leading((k) => k.put("c", 3, "k2", "stale"));
    expect(again.duplicate).toBe(true);
    expect(await leading((k) => k.get("k2"))).toBe("v57");
  });

  it("adds a server, which catches up through a snapshot, then removes the leader; the cluster keeps serving", async () => {
    const { nodes, start } = await startCluster(3, { snapshotEntries: 10, compactionMargin: 2 }, 1);
    let l = await leaderOf(nodes);
    for (let i = 0; i < 30; i++) await l.put("c", i + 1, `k${i % 4}`, `v${i}`);
    // a new server starts empty (no bootstrap) and is added by the leader
    nodes.set(4, await start(4));
    await l.raft.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 4 });
    const n4 = nodes.get(4)!;
    expect(await eventually(() => n4.get("k1"))).toBe("v29");
    // the leader had compacted its log: the new server was brought up by InstallSnapshot
    expect(l.raft.status().firstIndex).toBeGreaterThan(2);
    expect(n4.raft.status().snapshotIndex).toBeGreaterThan(0);
    // removing the leader: it steps down once the change applies, the others elect a new one
    const old = l;
    await old.raft.proposeConfChange({ type: ConfChangeType.RemoveNode, nodeId: old.raft.id });
    for (let i = 0; i < 500 && old.raft.isLeader(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(old.raft.isLeader()).toBe(false);
    const rest = new Map([...nodes].filter(([id]) => id !== old.raft.id));
    l = await leaderOf(rest);
    expect(l.raft.id).not.toBe(old.raft.id);
    await eventually(() => l.put("c", 100, "after", "removal"));
    expect(await eventually(() => n4.get("after"))).toBe("removal");
  });

  it("a leader that loses its quorum steps down and fails pending proposals and reads with typed errors", async () => {
    const { nodes } = await startCluster(3);
    const l = await leaderOf(nodes);
    await l.put("c", 1, "a", "1");
    for (const [id, k] of nodes) if (id !== l.raft.id) await k.stop();
    const put = l.put("c", 2, "a", "2").then(
      () => "applied",
      (e: unknown) => (isRaftError(e) ? e.code : "other"),
    );
    const read = l.get("a").then(
      () => "served",
      (e: unknown) => (isRaftError(e) ? e.code : "other"),
    );
    // check-quorum: no follower answers for an election timeout, so the leader steps down
    expect(await put).toBe("LEADERSHIP_LOST");
    expect(l.raft.isLeader()).toBe(false);
    expect(await read).toBe("LEADERSHIP_LOST");
  }, 20_000);
});