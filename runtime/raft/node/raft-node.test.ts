// Three RaftNodes in one process over real TCP on loopback and real disks.
import { afterEach, describe, expect, it } from "vitest";
import { isOutcomeUnknown, isRaftError } from "../core/errors.js";
import { ConfChangeType } from "../core/types.js";
import type { KvNode } from "../kv/kv-node.js";
import type { ExtraOptions, TestCluster } from "./test-cluster.js";
import { eventually, leaderOf, sleep, startCluster as start } from "./test-cluster.js";
import type { LeaderChange } from "./raft-node.js";

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const startCluster = async (n: number, extra: ExtraOptions = {}, spare = 0): Promise<TestCluster> => {
  const c = await start(n, extra, spare);
  cleanup.push(() => c.stopAll());
  return c;
};

const followerOf = (nodes: Map<number, KvNode>, l: KvNode): KvNode => [...nodes.values()].find((k) => k !== l)!;

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

  it("a follower forwards proposals to the leader and resolves each once it is applied there", async () => {
    const { nodes } = await startCluster(3);
    const l = await leaderOf(nodes);
    const f = followerOf(nodes, l);
    // proposals from every member at once: each caller gets the result of its own entry
    const puts = [...nodes.values()].flatMap((k) => Array.from({ length: 10 }, (_, i) => k.put(`c${k.raft.id}`, i + 1, `k${k.raft.id}-${i}`, `v${i}`)));
    const results = await Promise.all(puts);
    expect(new Set(results.map((r) => r.revision)).size).toBe(30);
    expect(results.every((r) => !r.duplicate)).toBe(true);
    await f.put("cf", 1, "mine", "x");
    expect(await f.get("mine")).toBe("x");
    expect(await l.get("k2-9")).toBe("v9");
  });

  it("a forwarded proposal that is not applied by its deadline fails with an outcome-unknown error", async () => {
    const { nodes } = await startCluster(3);
    const l = await leaderOf(nodes);
    const f = followerOf(nodes, l);
    await f.put("c", 1, "a", "1");
    await l.stop(); // the follower still believes in it for an election timeout
    const err = await f.raft.propose(new TextEncoder().encode("{}"), { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(isRaftError(err, "PROPOSAL_TIMEOUT")).toBe(true);
    expect(isOutcomeUnknown(err)).toBe(true);
  });

  it("refuses a proposal above maxEntryBytes with ENTRY_TOO_LARGE before it reaches the log", async () => {
    const { nodes } = await startCluster(3, { maxEntryBytes: 1024 });
    const l = await leaderOf(nodes);
    await l.put("c", 1, "a", "1");
    for (const k of [l, followerOf(nodes, l)]) {
      const last = l.raft.status().lastIndex;
      const err = await k.raft.propose(new Uint8Array(1025)).catch((e: unknown) => e);
      expect(isRaftError(err, "ENTRY_TOO_LARGE")).toBe(true);
      expect((err as Error).message).toMatch(/1025 bytes exceeds maxEntryBytes 1024/);
      expect(l.raft.status().lastIndex).toBe(last);
    }
    await l.put("c", 2, "b", "x".repeat(900)); // at the bound (with its JSON) it is accepted
  });

  it("reports the leader, term and role, and every change of them", async () => {
    const { nodes } = await startCluster(3);
    const last = new Map<number, LeaderChange>();
    for (const [id, k] of nodes) k.raft.onLeaderChange((c) => last.set(id, c));
    const l = await leaderOf(nodes);
    await l.put("c", 1, "a", "1");
    const f = followerOf(nodes, l);
    const st = f.raft.status();
    expect(st).toMatchObject({ id: f.raft.id, leaderId: l.raft.id, role: "follower", term: l.raft.status().term });
    expect(st.appliedIndex).toBeLessThanOrEqual(st.commitIndex);
    expect(l.raft.status().role).toBe("leader");
    // move leadership: every node hears of the new leader
    const target = f.raft.id;
    const heard = () => [...nodes.keys()].every((id) => last.get(id)?.leaderId === target);
    // a transfer the leader abandons (the target lagged for an election timeout) is asked again
    for (let i = 0; i < 1000 && !heard(); i++) {
      if (i % 100 === 0 && !f.raft.isLeader()) (await leaderOf(nodes)).raft.transferLeadership(target);
      await sleep(10);
    }
    const term = f.raft.status().term;
    expect(Object.fromEntries(last)).toEqual(
      Object.fromEntries([...nodes.keys()].map((id) => [id, { leaderId: target, term, role: id === target ? "leader" : "follower" }])),
    );
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
    // a new server starts empty (no bootstrap) and is added, here through a follower (forwarded like any proposal)
    nodes.set(4, await start(4));
    await eventually(() => followerOf(nodes, l).raft.proposeConfChange({ type: ConfChangeType.AddNode, nodeId: 4 }));
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