// Beyond the paper's core: pre-vote, check-quorum, leadership transfer, ReadIndex, fast back-off
// and flow control (Raft thesis §3.10, §4.2.3, §6.4, §9.6; etcd's raft_test.go).
import { describe, expect, it } from "vitest";
import { ProgressState } from "./progress.js";
import { Network, ids, newTestRaft, readMessages, storageWithTerms } from "./test-network.js";
import type { RaftConfig } from "./config.js";
import { EntryType, MessageType as MT, StateType, msg } from "./types.js";

const cluster = (n: number, extra: Partial<Omit<RaftConfig, "storage">> = {}) => {
  const peers = ids(n);
  return new Network(...peers.map((id) => newTestRaft(id, peers, 10, 1, extra)));
};

const readReq = (ctx: string) =>
  msg({ type: MT.ReadIndex, entries: [{ term: 0, index: 0, type: EntryType.Normal, data: new TextEncoder().encode(ctx) }] });

describe("pre-vote (thesis §9.6)", () => {
  it("a partitioned server does not raise its term, and does not disrupt the leader when it returns", () => {
    const n = cluster(3, { preVote: true });
    n.campaign(1);
    expect(n.get(1).state).toBe(StateType.Leader);
    n.isolate(3);
    const r3 = n.get(3);
    for (let i = 0; i < 100; i++) {
      r3.tick();
      n.send(...readMessages(r3));
    }
    expect(r3.term).toBe(1);
    expect(r3.state).toBe(StateType.PreCandidate);
    n.recover();
    n.propose(1, "x");
    expect(n.get(1).state).toBe(StateType.Leader);
    expect(n.get(1).term).toBe(1);
    expect(r3.state).toBe(StateType.Follower);
  });

  it("a pre-candidate that wins the pre-vote then runs a real election", () => {
    const n = cluster(3, { preVote: true });
    n.campaign(1);
    expect(n.get(1).state).toBe(StateType.Leader);
    expect(n.get(1).term).toBe(1);
    expect(n.delivered.some((m) => m.type === MT.PreVote)).toBe(true);
  });
});

describe("check-quorum (thesis §6.2)", () => {
  it("a leader that hears from no quorum for an election timeout steps down", () => {
    const n = cluster(3, { checkQuorum: true });
    n.campaign(1);
    const l = n.get(1);
    n.isolate(1);
    for (let i = 0; i < 2 * 10 + 1; i++) {
      l.tick();
      n.send(...readMessages(l));
    }
    expect(l.state).toBe(StateType.Follower);
  });

  it("a leader that hears from a quorum stays", () => {
    const n = cluster(3, { checkQuorum: true });
    n.campaign(1);
    const l = n.get(1);
    n.drop(1, 3);
    for (let i = 0; i < 50; i++) {
      l.tick();
      n.send(...readMessages(l));
    }
    expect(l.state).toBe(StateType.Leader);
  });
});

describe("leadership transfer (thesis §3.10)", () => {
  it("an up-to-date transferee gets TimeoutNow and wins at once", () => {
    const n = cluster(3);
    n.campaign(1);
    n.send(msg({ type: MT.TransferLeader, from: 3, to: 1 }));
    expect(n.get(3).state).toBe(StateType.Leader);
    expect(n.get(1).state).toBe(StateType.Follower);
    expect(n.get(1).term).toBe(2);
  });

  it("a transfer asked of a follower is forwarded to the leader with the transferee intact", () => {
    const n = cluster(3);
    n.campaign(1);
    n.send(msg({ type: MT.TransferLeader, from: 3, to: 2 }));
    expect(n.get(3).state).toBe(StateType.Leader);
    expect(n.get(2).state).toBe(StateType.Follower);
  });

  it("a lagging transferee is caught up first", () => {
    const n = cluster(3);
    n.campaign(1);
    n.isolate(3);
    n.propose(1, "a");
    n.propose(1, "b");
    n.recover();
    n.ignore(MT.App); // hold back the catch-up until we ask for the transfer
    n.send(msg({ type: MT.TransferLeader, from: 3, to: 1 }));
    expect(n.get(1).leadTransferee).toBe(3);
    n.recover();
    // proposals are refused while leadership moves
    expect(() => n.get(1).step({ ...msg({ type: MT.Prop, entries: [{ term: 0, index: 0, type: 0, data: new Uint8Array(1) }] }) })).toThrow(/PROPOSAL_DROPPED/);
    n.send(msg({ type: MT.Heartbeat, from: 1, to: 3, term: 1, commit: 0 }));
    expect(n.get(3).state).toBe(StateType.Leader);
    expect(n.get(3).raftLog.lastIndex()).toBeGreaterThanOrEqual(4);
  });

  it("a transfer that does not finish within an election timeout is abandoned", () => {
    const n = cluster(3);
    n.campaign(1);
    n.isolate(3);
    const l = n.get(1);
    n.send(msg({ type: MT.TransferLeader, from: 3, to: 1 }));
    expect(l.leadTransferee).toBe(3);
    for (let i = 0; i < 10; i++) l.tick();
    expect(l.leadTransferee).toBe(0);
  });
});

describe("ReadIndex (thesis §6.4)", () => {
  it("the leader answers a read at its commit index once a quorum acknowledged a heartbeat", () => {
    const n = cluster(3);
    n.campaign(1);
    n.propose(1, "a");
    const l = n.get(1);
    n.send({ ...readReq("r1"), from: 1, to: 1 });
    expect(l.readStates.map((r) => [r.index, new TextDecoder().decode(r.requestCtx)])).toEqual([[l.raftLog.committed, "r1"]]);
  });

  it("a read is not answered while the leader cannot reach a quorum", () => {
    const n = cluster(3);
    n.campaign(1);
    n.isolate(1);
    n.send({ ...readReq("r1"), from: 1, to: 1 });
    expect(n.get(1).readStates).toEqual([]);
  });

  it("a follower's read is forwarded and answered with the leader's commit index", () => {
    const n = cluster(3);
    n.campaign(1);
    n.propose(1, "a");
    n.send({ ...readReq("f"), from: 2, to: 2 });
    expect(n.get(2).readStates.map((r) => r.index)).toEqual([n.get(1).raftLog.committed]);
  });

  it("a new leader defers reads until an entry of its term commits", () => {
    const n = cluster(3);
    n.ignore(MT.AppResp);
    n.campaign(1);
    const l = n.get(1);
    expect(l.committedEntryInCurrentTerm()).toBe(false);
    n.send({ ...readReq("early"), from: 1, to: 1 });
    expect(l.readStates).toEqual([]);
    expect(l.pendingReadIndexMessages).toHaveLength(1);
    n.recover();
    n.send(msg({ type: MT.Beat, from: 1, to: 1 }));
    expect(l.readStates.map((r) => new TextDecoder().decode(r.requestCtx))).toEqual(["early"]);
  });
});

describe("replication engineering", () => {
  it("fast back-off skips a whole diverging term per round trip", () => {
    // the follower holds 50 entries of a stale term 2 the leader never had
    const ls = storageWithTerms([1, 2, 3], [1, 1, 1]);
    ls.setHardState({ term: 3, vote: 0, commit: 3 });
    const fs = storageWithTerms([1, 2, 3], [1, 1, 1, ...Array<number>(50).fill(2)]);
    fs.setHardState({ term: 2, vote: 0, commit: 3 });
    const n = new Network(newTestRaft(1, [1, 2, 3], 10, 1, { storage: ls }), newTestRaft(2, [1, 2, 3], 10, 1, { storage: fs }), undefined);
    n.isolate(3);
    n.campaign(1);
    n.send(msg({ type: MT.VoteResp, from: 3, to: 1, term: n.get(1).term }));
    expect(n.get(1).state).toBe(StateType.Leader);
    const rejections = n.delivered.filter((m) => m.type === MT.AppResp && m.reject && m.from === 2);
    expect(rejections.length).toBeLessThanOrEqual(2);
    expect(n.get(2).raftLog.lastIndex()).toBe(4);
  });

  it("appends are pipelined up to the inflight window, then pause until acknowledged", () => {
    const r = newTestRaft(1, [1, 2], 10, 1, { maxInflightMsgs: 3 });
    r.becomeCandidate();
    r.becomeLeader();
    r.prs.progress.get(2)!.becomeReplicate();
    readMessages(r);
    for (let i = 0; i < 5; i++) r.step({ ...msg({ type: MT.Prop, entries: [{ term: 0, index: 0, type: 0, data: new Uint8Array([i]) }] }) });
    const apps = readMessages(r).filter((m) => m.type === MT.App && m.entries.length > 0);
    expect(apps).toHaveLength(3);
    expect(r.prs.progress.get(2)!.isPaused()).toBe(true);
    const last = apps[0]!.entries[apps[0]!.entries.length - 1]!.index;
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: r.term, index: last }));
    const more = readMessages(r).filter((m) => m.type === MT.App && m.entries.length > 0);
    expect(more.length).toBeGreaterThan(0);
    expect(r.prs.progress.get(2)!.state).toBe(ProgressState.Replicate);
  });

  it("a probe sends one append at a time", () => {
    const r = newTestRaft(1, [1, 2]);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.sendAppend(2);
    r.sendAppend(2);
    r.sendAppend(2);
    expect(readMessages(r)).toHaveLength(1);
    r.step(msg({ type: MT.HeartbeatResp, from: 2, to: 1, term: r.term }));
    expect(readMessages(r).filter((m) => m.type === MT.App)).toHaveLength(1);
  });
});
