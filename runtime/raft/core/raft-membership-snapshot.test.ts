// §6 (cluster membership changes, one server at a time as in the thesis §4.1) and §7 (log
// compaction and InstallSnapshot) of the Raft paper.
import { describe, expect, it } from "vitest";
import { ProgressState } from "./progress.js";
import { MemoryStorage } from "./storage.js";
import { Network, ids, newTestRaft, persistAndApply, propose, readMessages, storageWithTerms } from "./test-network.js";
import type { Snapshot } from "./types.js";
import { ConfChangeType, EntryType, MessageType as MT, StateType, msg } from "./types.js";
import { decodeConfChange, encodeConfChange } from "./codec.js";
import { isRaftError } from "./errors.js";

const confChangeProp = (type: ConfChangeType, nodeId: number) =>
  msg({ type: MT.Prop, entries: [{ term: 0, index: 0, type: EntryType.ConfChange, data: encodeConfChange({ type, nodeId }) }] });

const snapshot = (index: number, term: number, voters: number[]): Snapshot => ({
  meta: { index, term, confState: { voters } },
  data: new Uint8Array([1, 2, 3]),
});

describe("§6 Cluster membership changes", () => {
  it("adding a server makes it a voter the leader replicates to", () => {
    // thesis §4.1: "the new server's configuration takes effect ... and the leader starts replicating to it"
    const r = newTestRaft(1, [1]);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.applyConfChange({ type: ConfChangeType.AddNode, nodeId: 2 });
    expect(r.prs.voters()).toEqual([1, 2]);
    expect(readMessages(r).map((m) => [m.type, m.to])).toEqual([[MT.App, 2]]);
  });

  it("removing a server shrinks the quorum, which may commit pending entries", () => {
    const s = MemoryStorage.withVoters([1, 2]);
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: r.term, index: 1 }));
    persistAndApply(r, s);
    r.step(propose("needs two"));
    const before = r.raftLog.committed;
    expect(r.raftLog.lastIndex()).toBe(before + 1);
    r.applyConfChange({ type: ConfChangeType.RemoveNode, nodeId: 2 });
    expect(r.prs.voters()).toEqual([1]);
    expect(r.raftLog.committed).toBe(before + 1);
  });

  it("only one membership change may be pending at a time", () => {
    // thesis §4.1: "a leader ... does not begin a new configuration change until the previous one is committed"
    const n = new Network(undefined, undefined, undefined);
    n.campaign(1);
    const l = n.get(1);
    l.step(confChangeProp(ConfChangeType.AddNode, 4));
    n.send(...readMessages(l));
    expect(l.raftLog.committed).toBe(2);
    let err: unknown;
    try {
      l.step(confChangeProp(ConfChangeType.RemoveNode, 3));
    } catch (e) {
      err = e;
    }
    expect(isRaftError(err, "CONF_CHANGE_PENDING")).toBe(true);
    // once applied, the next change is accepted
    l.raftLog.appliedTo(l.raftLog.committed);
    l.step(confChangeProp(ConfChangeType.RemoveNode, 3));
    expect(l.pendingConfIndex).toBe(l.raftLog.lastIndex());
  });

  it("a new leader proposes no change before an entry of its term is applied", () => {
    // the fix for single-server changes across leader changes (raft-dev, 2015): first commit the no-op
    const s = storageWithTerms([1, 2, 3], [1, 1]);
    s.setHardState({ term: 1, vote: 0, commit: 2 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader();
    expect(() => r.step(confChangeProp(ConfChangeType.AddNode, 4))).toThrow(/CONF_CHANGE_PENDING/);
  });

  it("a leader that applies its own removal steps down and never campaigns again", () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.applyConfChange({ type: ConfChangeType.RemoveNode, nodeId: 1 });
    expect(r.state).toBe(StateType.Follower);
    expect(r.promotable()).toBe(false);
    for (let i = 0; i < 100; i++) r.tick();
    expect(readMessages(r).filter((m) => m.type === MT.Vote || m.type === MT.PreVote)).toEqual([]);
  });

  it("after removing the leader the remaining servers elect a new one and keep committing", () => {
    const n = new Network(undefined, undefined, undefined);
    n.campaign(1);
    const old = n.get(1);
    old.step(confChangeProp(ConfChangeType.RemoveNode, 1));
    n.send(...readMessages(old));
    for (const r of n.peers.values()) {
      const ents = r.raftLog.nextCommittedEnts();
      r.raftLog.appliedTo(r.raftLog.committed);
      for (const e of ents) if (e.type === EntryType.ConfChange) r.applyConfChange(decodeConfChange(e.data));
    }
    expect(old.state).toBe(StateType.Follower);
    n.isolate(1);
    n.campaign(2);
    expect(n.get(2).state).toBe(StateType.Leader);
    expect(n.get(2).prs.voters()).toEqual([2, 3]);
    const before = n.get(3).raftLog.committed;
    n.propose(2, "after removal");
    expect(n.get(3).raftLog.committed).toBe(before + 1);
  });

  it("a removed server's disruptive votes are ignored while followers hear from a leader (check-quorum lease)", () => {
    // thesis §4.2.3: "servers disregard RequestVote RPCs when they believe a current leader exists"
    const peers = ids(3);
    const rs = peers.map((id) => newTestRaft(id, peers, 10, 1, { checkQuorum: true }));
    const n = new Network(...rs);
    n.campaign(1);
    const f = n.get(2);
    f.step(msg({ type: MT.Vote, from: 3, to: 2, term: f.term + 5, index: 100, logTerm: 100 }));
    expect(f.term).toBe(1);
    expect(readMessages(f)).toEqual([]);
  });
});

describe("§7 Log compaction", () => {
  it("compaction drops entries but keeps the term of the last one", () => {
    // "the entire current system state is written to a snapshot on stable storage, then the entire log up to that point is discarded"
    const s = storageWithTerms([1], [1, 1, 2, 2, 3]);
    s.createSnapshot(4, { voters: [1] }, new Uint8Array([9]));
    s.compact(4);
    expect(s.firstIndex()).toBe(5);
    expect(s.term(4)).toBe(2);
    expect(() => s.entries(3, 5, Infinity)).toThrow(/COMPACTED/);
    expect(s.entries(5, 6, Infinity).map((e) => e.term)).toEqual([3]);
  });

  it("a server restores from a snapshot: log, commit index and configuration", () => {
    // "the snapshot also includes the last included index and term ... and the latest configuration"
    const r = newTestRaft(1, [1, 2]);
    expect(r.restore(snapshot(11, 11, [1, 2, 3]))).toBe(true);
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(r.raftLog.term(11)).toBe(11);
    expect(r.raftLog.committed).toBe(11);
    expect(r.prs.voters()).toEqual([1, 2, 3]);
    expect(r.restore(snapshot(11, 11, [1, 2, 3]))).toBe(false);
  });

  it("a snapshot older than the commit index is ignored", () => {
    const s = storageWithTerms([1, 2], [1, 2, 3]);
    s.setHardState({ term: 3, vote: 0, commit: 3 });
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: s });
    expect(r.restore(snapshot(2, 2, [1, 2]))).toBe(false);
    expect(r.raftLog.committed).toBe(3);
  });

  it("a snapshot matching the log only moves the commit index", () => {
    // "If the follower receives a snapshot that describes a prefix of its log ... entries following it are retained"
    const s = storageWithTerms([1, 2], [1, 2, 3]);
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: s });
    expect(r.restore(snapshot(2, 2, [1, 2]))).toBe(false);
    expect(r.raftLog.committed).toBe(2);
    expect(r.raftLog.lastIndex()).toBe(3);
  });

  it("the leader sends InstallSnapshot to a follower that needs compacted entries", () => {
    // "the leader must occasionally send snapshots to followers that lag behind"
    const s = storageWithTerms([1, 2], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    s.createSnapshot(11, { voters: [1, 2] }, new Uint8Array([7]));
    s.compact(11);
    s.setHardState({ term: 1, vote: 0, commit: 11 });
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    const pr = r.prs.progress.get(2)!;
    pr.recentActive = true;
    pr.next = r.raftLog.firstIndex() - 1; // it needs index 11, which is compacted away
    pr.match = 0;
    r.sendAppend(2);
    const [m] = readMessages(r);
    expect(m!.type).toBe(MT.Snap);
    expect(m!.snapshot!.meta.index).toBe(11);
    expect(pr.state).toBe(ProgressState.Snapshot);
    expect(pr.pendingSnapshot).toBe(11);
    // nothing more is sent while the snapshot is in flight
    r.step(propose("x"));
    expect(readMessages(r).filter((x) => x.to === 2)).toEqual([]);
    // the follower answers once it installed the snapshot: replication resumes
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: r.term, index: 11 }));
    expect(pr.state).toBe(ProgressState.Replicate);
    expect(readMessages(r).some((x) => x.type === MT.App && x.to === 2)).toBe(true);
  });

  it("a failed snapshot send returns the follower to probing", () => {
    const r = newTestRaft(1, [1, 2]);
    r.becomeCandidate();
    r.becomeLeader();
    const pr = r.prs.progress.get(2)!;
    pr.becomeSnapshot(11);
    r.step(msg({ type: MT.SnapStatus, from: 2, to: 1, reject: true }));
    expect(pr.state).toBe(ProgressState.Probe);
    expect(pr.pendingSnapshot).toBe(0);
    expect(pr.probeSent).toBe(true);
  });

  it("a follower installs a snapshot from the leader and answers with its new last index", () => {
    const r = newTestRaft(2, [1, 2]);
    r.step(msg({ type: MT.Snap, from: 1, to: 2, term: 2, snapshot: snapshot(11, 2, [1, 2]) }));
    expect(r.raftLog.lastIndex()).toBe(11);
    expect(r.raftLog.unstable.snapshot?.meta.index).toBe(11);
    const [m] = readMessages(r);
    expect([m!.type, m!.index, m!.reject]).toEqual([MT.AppResp, 11, false]);
  });
});
