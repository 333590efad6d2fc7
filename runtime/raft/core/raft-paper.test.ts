// One test per rule of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable
// Consensus Algorithm"), after etcd's raft_paper_test.go. Each quotes the sentence it checks.
import { describe, expect, it } from "vitest";
import type { Raft } from "./raft.js";
import { MemoryStorage } from "./storage.js";
import { Network, entry, ids, newTestRaft, persistAndApply, propose, readMessages, storageWithTerms } from "./test-network.js";
import type { Entry, Message } from "./types.js";
import { MessageType as MT, NONE, StateType, msg } from "./types.js";

const terms = (es: Entry[]): [number, number][] => es.map((e) => [e.term, e.index]);
const byTo = (ms: Message[]): Message[] => [...ms].sort((a, b) => a.to - b.to);

/** Replicates the leader's no-op entry to every follower and has it acknowledged and applied. */
function commitNoopEntry(r: Raft, s: MemoryStorage): void {
  r.bcastAppend();
  for (const m of readMessages(r)) {
    expect(m.type).toBe(MT.App);
    expect(m.entries).toHaveLength(1);
    r.step(acceptAndReply(m));
  }
  readMessages(r);
  persistAndApply(r, s);
}

const acceptAndReply = (m: Message): Message =>
  msg({ type: MT.AppResp, from: m.to, to: m.from, term: m.term, index: m.index + m.entries.length });

const leaderOf = (peers: number[], storage = MemoryStorage.withVoters(peers)): { r: Raft; s: MemoryStorage } => {
  const r = newTestRaft(1, peers, 10, 1, { storage });
  r.becomeCandidate();
  r.becomeLeader();
  return { r, s: storage };
};

describe("§5.1 Raft basics", () => {
  it.each([
    ["follower", (r: Raft) => r.becomeFollower(1, 2)],
    ["candidate", (r: Raft) => r.becomeCandidate()],
    ["pre-candidate", (r: Raft) => r.becomePreCandidate()],
    ["leader", (r: Raft) => (r.becomeCandidate(), r.becomeLeader())],
  ])("a %s that sees a larger term takes it and reverts to follower", (_name, setup) => {
    // "If one server's current term is smaller than the other's, then it updates its current term to the
    // larger value. If a candidate or leader discovers that its term is out of date, it immediately reverts to follower state."
    const r = newTestRaft(1, [1, 2, 3]);
    setup(r);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: 2 }));
    expect(r.term).toBe(2);
    expect(r.state).toBe(StateType.Follower);
    expect(r.lead).toBe(2);
  });

  it("rejects a request with a stale term", () => {
    // "If a server receives a request with a stale term number, it rejects the request."
    const s = storageWithTerms([1, 2, 3], [1]);
    s.setHardState({ term: 2, vote: 0, commit: 0 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.step(msg({ type: MT.App, from: 2, to: 1, term: 1, index: 1, logTerm: 1, entries: [entry(1, 2)] }));
    expect(r.raftLog.lastIndex()).toBe(1);
    expect(r.term).toBe(2);
    expect(readMessages(r)).toEqual([]);
  });
});

describe("§5.2 Leader election", () => {
  it("servers start as followers", () => {
    // "When servers start up, they begin as followers."
    const r = newTestRaft(1, [1, 2, 3]);
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(0);
  });

  it("a leader sends heartbeats every heartbeat timeout", () => {
    // "Leaders send periodic heartbeats (AppendEntries RPCs that carry no log entries) to all followers."
    const hb = 1;
    const r = newTestRaft(1, [1, 2, 3], 10, hb);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    for (let i = 0; i < hb; i++) r.tick();
    const ms = byTo(readMessages(r));
    expect(ms.map((m) => [m.type, m.to, m.term, m.commit])).toEqual([
      [MT.Heartbeat, 2, 1, 0],
      [MT.Heartbeat, 3, 1, 0],
    ]);
  });

  it.each([
    ["follower", (_r: Raft) => undefined],
    ["candidate", (r: Raft) => r.becomeCandidate()],
  ])("a %s whose election timeout elapses starts an election", (name, setup) => {
    // "If a follower receives no communication over a period of time called the election timeout, then it assumes
    // there is no viable leader and begins an election ... it increments its current term and transitions to
    // candidate state. It then votes for itself and issues RequestVote RPCs in parallel to each of the other servers."
    // "A candidate ... if many followers become candidates at the same time ... each candidate will time out and start a new election."
    const et = 10;
    const r = newTestRaft(1, [1, 2, 3], et, 1);
    setup(r);
    const before = r.term;
    for (let i = 1; i < 2 * et; i++) r.tick();
    expect(r.term).toBe(before + 1);
    expect(r.state).toBe(StateType.Candidate);
    expect(r.vote).toBe(1);
    expect(r.prs.votes.get(1)).toBe(true);
    expect(byTo(readMessages(r)).map((m) => [m.type, m.to, m.term])).toEqual([
      [MT.Vote, 2, before + 1],
      [MT.Vote, 3, before + 1],
    ]);
    expect(name).toBeTruthy();
  });

  it.each([
    [1, {}, StateType.Leader],
    [3, { 2: true, 3: true }, StateType.Leader],
    [3, { 2: true }, StateType.Leader],
    [5, { 2: true, 3: true, 4: true, 5: true }, StateType.Leader],
    [5, { 2: true, 3: true, 4: true }, StateType.Leader],
    [5, { 2: true, 3: true }, StateType.Leader],
    [3, { 2: false, 3: false }, StateType.Follower],
    [5, { 2: false, 3: false, 4: false, 5: false }, StateType.Follower],
    [5, { 2: false, 3: false, 4: false }, StateType.Follower],
    [3, {}, StateType.Candidate],
    [5, { 2: true }, StateType.Candidate],
    [5, { 2: false, 3: false }, StateType.Candidate],
    [5, {}, StateType.Candidate],
  ] as [number, Record<number, boolean>, StateType][])("an election among %i servers with votes %j ends %i", (size, votes, want) => {
    // "A candidate wins an election if it receives votes from a majority of the servers in the full cluster for the
    // same term." / "If the election is lost, the candidate reverts to follower" (quorum of rejections).
    const r = newTestRaft(1, ids(size));
    r.step(msg({ type: MT.Hup, from: 1, to: 1 }));
    for (const [id, granted] of Object.entries(votes))
      r.step(msg({ type: MT.VoteResp, from: Number(id), to: 1, term: r.term, reject: !granted }));
    expect(r.state).toBe(want);
    expect(r.term).toBe(1);
  });

  it.each([
    [NONE, 2, false],
    [NONE, 3, false],
    [2, 2, false],
    [3, 3, false],
    [2, 3, true],
    [3, 2, true],
  ])("a follower that voted for %i answers candidate %i with reject=%s", (vote, candidate, wreject) => {
    // "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
    const s = MemoryStorage.withVoters([1, 2, 3]);
    s.setHardState({ term: 1, vote, commit: 0 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.step(msg({ type: MT.Vote, from: candidate, to: 1, term: 1 }));
    expect(readMessages(r).map((m) => [m.type, m.to, m.term, m.reject])).toEqual([[MT.VoteResp, candidate, 1, wreject]]);
  });

  it.each([1, 2])("a candidate hearing from a leader of term +%i steps down", (delta) => {
    // "While waiting for votes, a candidate may receive an AppendEntries RPC from another server claiming to be
    // leader. If the leader's term is at least as large as the candidate's current term, then the candidate
    // recognizes the leader as legitimate and returns to follower state."
    const r = newTestRaft(1, [1, 2, 3]);
    r.step(msg({ type: MT.Hup, from: 1, to: 1 }));
    expect(r.state).toBe(StateType.Candidate);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: r.term + delta - 1 }));
    expect(r.state).toBe(StateType.Follower);
    expect(r.term).toBe(delta);
    expect(r.lead).toBe(2);
  });

  it.each([
    ["follower", (_r: Raft) => undefined],
    ["candidate", (r: Raft) => r.becomeCandidate()],
  ])("a %s's election timeout is randomized over [et, 2·et)", (_name, setup) => {
    // "Raft uses randomized election timeouts ... election timeouts are chosen randomly from a fixed interval."
    const et = 10;
    const r = newTestRaft(1, [1, 2, 3], et, 1);
    setup(r);
    const seen = new Set<number>();
    for (let round = 0; round < 50 * et; round++) {
      if (r.state === StateType.Candidate) r.becomeCandidate();
      else r.becomeFollower(r.term + 1, NONE);
      let time = 0;
      while (readMessages(r).length === 0) {
        r.tick();
        time++;
      }
      seen.add(time);
    }
    for (const t of seen) expect(t >= et && t < 2 * et).toBe(true);
    for (let d = et + 1; d < 2 * et; d++) expect(seen.has(d)).toBe(true);
  });

  it("in most rounds only one server times out first", () => {
    // "... election timeouts are chosen randomly ... so that in most cases only a single server will time out."
    const et = 10;
    const peers = ids(5);
    const rs = peers.map((id) => newTestRaft(id, peers, et, 1));
    let conflicts = 0;
    const rounds = 1000;
    for (let round = 0; round < rounds; round++) {
      for (const r of rs) r.becomeFollower(r.term + 1, NONE);
      let timedOut = 0;
      while (timedOut === 0) {
        for (const r of rs) {
          r.tick();
          if (readMessages(r).length > 0) timedOut++;
        }
      }
      if (timedOut > 1) conflicts++;
    }
    expect(conflicts / rounds).toBeLessThanOrEqual(0.3);
  });
});

describe("§5.3 Log replication", () => {
  it("the leader appends a proposal and sends AppendEntries to every follower", () => {
    // "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each
    // of the other servers to replicate the entry."
    const { r, s } = leaderOf([1, 2, 3]);
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    r.step(propose("some data"));
    expect(r.raftLog.lastIndex()).toBe(li + 1);
    expect(r.raftLog.committed).toBe(li);
    const ms = byTo(readMessages(r));
    expect(ms.map((m) => [m.type, m.to, m.index, m.logTerm, m.commit, terms(m.entries)])).toEqual([
      [MT.App, 2, li, 1, li, [[1, li + 1]]],
      [MT.App, 3, li, 1, li, [[1, li + 1]]],
    ]);
    expect(terms(r.raftLog.unstableEntries())).toEqual([[1, li + 1]]);
  });

  it("the leader commits an entry stored on a majority and tells followers", () => {
    // "When the entry has been safely replicated, the leader applies the entry to its state machine."
    // "The leader keeps track of the highest index it knows to be committed, and it includes that index in future
    // AppendEntries RPCs so that the other servers eventually find out."
    const { r, s } = leaderOf([1, 2, 3]);
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    r.step(propose("some data"));
    for (const m of readMessages(r)) r.step(acceptAndReply(m));
    expect(r.raftLog.committed).toBe(li + 1);
    expect(r.raftLog.nextCommittedEnts().map((e) => new TextDecoder().decode(e.data))).toEqual(["some data"]);
    const ms = byTo(readMessages(r));
    expect(ms.map((m) => [m.type, m.to, m.commit])).toEqual([
      [MT.App, 2, li + 1],
      [MT.App, 3, li + 1],
    ]);
  });

  it.each([
    [1, [], true],
    [3, [], false],
    [3, [2], true],
    [3, [2, 3], true],
    [5, [], false],
    [5, [2], false],
    [5, [2, 3], true],
    [5, [2, 3, 4], true],
    [5, [2, 3, 4, 5], true],
  ])("of %i servers, acceptance by %j commits: %s", (size, acceptors, wack) => {
    // "A log entry is committed once the leader that created the entry has replicated it on a majority of the servers."
    const { r, s } = leaderOf(ids(size));
    commitNoopEntry(r, s);
    const li = r.raftLog.lastIndex();
    r.step(propose("some data"));
    for (const m of readMessages(r)) if ((acceptors as number[]).includes(m.to)) r.step(acceptAndReply(m));
    expect(r.raftLog.committed > li).toBe(wack);
  });

  it.each([[[]], [[2]], [[1, 2]], [[1]]] as number[][][])("committing also commits the entries of earlier leaders (log %j)", (prior) => {
    // "This also commits all preceding entries in the leader's log, including entries created by previous leaders."
    const s = storageWithTerms([1, 2, 3], prior);
    s.setHardState({ term: 2, vote: 0, commit: 0 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader();
    r.step(propose("some data"));
    for (const m of readMessages(r)) r.step(acceptAndReply(m));
    const li = prior.length;
    expect(terms(r.raftLog.nextCommittedEnts())).toEqual([...prior.map((t, i) => [t, i + 1]), [3, li + 1], [3, li + 2]]);
  });

  it.each([
    [[entry(1, 1, "a")], 1],
    [[entry(1, 1, "a"), entry(1, 2, "b")], 2],
    [[entry(1, 1, "a"), entry(1, 2, "b")], 1],
  ])("a follower learns the commit index %# and applies up to it", (ents, commit) => {
    // "Once a follower learns that a log entry is committed, it applies the entry to its local state machine (in log order)."
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeFollower(1, 2);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: 1, entries: ents, commit }));
    expect(r.raftLog.committed).toBe(commit);
    expect(terms(r.raftLog.nextCommittedEnts())).toEqual(terms(ents.slice(0, commit)));
  });

  it.each([
    [0, 0, 1, false, 0, 0],
    [1, 1, 1, false, 0, 0],
    [2, 2, 2, false, 0, 0],
    [1, 2, 2, true, 1, 1],
    [3, 3, 3, true, 2, 2],
  ])("a follower checks AppendEntries at (term %i, index %i)", (logTerm, index, windex, wreject, whint, wlogTerm) => {
    // "When sending an AppendEntries RPC, the leader includes the index and term of the entry in its log that
    // immediately precedes the new entries. If the follower does not find an entry in its log with the same index
    // and term, then it refuses the new entries." The refusal carries a hint for fast back-off.
    const s = storageWithTerms([1, 2, 3], [1, 2]);
    s.setHardState({ term: 0, vote: 0, commit: 1 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.becomeFollower(2, 2);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: 2, logTerm, index }));
    const [m] = readMessages(r);
    expect([m!.type, m!.index, m!.reject, m!.rejectHint, m!.logTerm]).toEqual([MT.AppResp, windex, wreject, whint, wlogTerm]);
  });

  it.each([
    [2, 2, [entry(3, 3)], [[1, 1], [2, 2], [3, 3]], [[3, 3]]],
    [1, 1, [entry(3, 2), entry(4, 3)], [[1, 1], [3, 2], [4, 3]], [[3, 2], [4, 3]]],
    [0, 0, [entry(1, 1)], [[1, 1], [2, 2]], []],
    [0, 0, [entry(3, 1)], [[3, 1]], [[3, 1]]],
  ] as [number, number, Entry[], number[][], number[][]][])("a follower appending after %i deletes conflicts (case %#)", (index, logTerm, ents, wents, wunstable) => {
    // "If an existing entry conflicts with a new one (same index but different terms), delete the existing entry and
    // all that follow it; append any new entries not already in the log."
    const s = storageWithTerms([1, 2, 3], [1, 2]);
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.becomeFollower(2, 2);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: 2, logTerm, index, entries: ents }));
    expect(terms(r.raftLog.allEntries())).toEqual(wents);
    expect(terms(r.raftLog.unstableEntries())).toEqual(wunstable);
  });

  const figure7Leader = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  it.each([
    ["a", [1, 1, 1, 4, 4, 5, 5, 6, 6]],
    ["b", [1, 1, 1, 4]],
    ["c", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]],
    ["d", [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]],
    ["e", [1, 1, 1, 4, 4, 4, 4]],
    ["f", [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]],
  ])("the leader brings follower (%s) of Figure 7 into line with its log", (_case, followerTerms) => {
    // "The leader handles inconsistencies by forcing the followers' logs to duplicate its own." (Figure 7)
    const ls = storageWithTerms([1, 2, 3], figure7Leader);
    ls.setHardState({ term: 8, vote: 0, commit: figure7Leader.length });
    const lead = newTestRaft(1, [1, 2, 3], 10, 1, { storage: ls });
    const fs = storageWithTerms([1, 2, 3], followerTerms);
    fs.setHardState({ term: 7, vote: 0, commit: 0 });
    const follower = newTestRaft(2, [1, 2, 3], 10, 1, { storage: fs });
    const n = new Network(lead, follower, undefined);
    // server 3 is silent but for its vote: the follower may hold a more up-to-date log and refuse hers
    n.isolate(3);
    n.campaign(1);
    n.send(msg({ type: MT.VoteResp, from: 3, to: 1, term: lead.term }));
    expect(lead.state).toBe(StateType.Leader);
    n.propose(1, "");
    expect(terms(follower.raftLog.allEntries())).toEqual(terms(lead.raftLog.allEntries()));
    expect(follower.raftLog.committed).toBe(lead.raftLog.committed);
  });
});

describe("§5.4 Safety", () => {
  it.each([
    [[entry(1, 1)], 2],
    [[entry(1, 1), entry(2, 2)], 3],
  ])("§5.4.1 a RequestVote carries the candidate's last log index and term (case %#)", (ents, wterm) => {
    // "The RequestVote RPC implements this restriction: the RPC includes information about the candidate's log."
    const r = newTestRaft(1, [1, 2, 3]);
    r.step(msg({ type: MT.App, from: 2, to: 1, term: wterm - 1, logTerm: 0, index: 0, entries: ents }));
    readMessages(r);
    for (let i = 1; i < 2 * 10; i++) r.tick();
    const last = ents[ents.length - 1]!;
    expect(byTo(readMessages(r)).map((m) => [m.type, m.to, m.term, m.index, m.logTerm])).toEqual([
      [MT.Vote, 2, wterm, last.index, last.term],
      [MT.Vote, 3, wterm, last.index, last.term],
    ]);
  });

  it.each([
    [[1], 1, 1, false],
    [[1], 1, 2, false],
    [[1, 1], 1, 1, true],
    [[1], 2, 1, false],
    [[1], 2, 2, false],
    [[1, 1], 2, 1, false],
    [[2], 1, 1, true],
    [[2], 1, 2, true],
    [[2, 1], 1, 1, true],
  ])("§5.4.1 a voter with log %j answers a candidate at (term %i, index %i) with reject=%s", (ts, logTerm, index, wreject) => {
    // "The voter denies its vote if its own log is more up-to-date than that of the candidate."
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: storageWithTerms([1, 2], ts) });
    r.step(msg({ type: MT.Vote, from: 2, to: 1, term: 3, logTerm, index }));
    const [m] = readMessages(r);
    expect([m!.type, m!.reject]).toEqual([MT.VoteResp, wreject]);
  });

  it.each([
    [1, 0],
    [2, 0],
    [3, 3],
  ])("§5.4.2 an acknowledgement up to %i commits %i: only entries of the current term count", (index, wcommit) => {
    // "Raft never commits log entries from previous terms by counting replicas. Only log entries from the leader's
    // current term are committed by counting replicas."
    const s = storageWithTerms([1, 2], [1, 2]);
    s.setHardState({ term: 2, vote: 0, commit: 0 });
    const r = newTestRaft(1, [1, 2], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: r.term, index }));
    expect(r.raftLog.committed).toBe(wcommit);
  });

  it("§5.4.2 (Figure 8) an old-term entry on a majority is not committed until a current-term entry is", () => {
    const s = storageWithTerms([1, 2, 3], [1, 2]);
    s.setHardState({ term: 3, vote: 0, commit: 1 });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, { storage: s });
    r.becomeCandidate();
    r.becomeLeader(); // term 4, no-op at index 3
    readMessages(r);
    // follower 2 holds index 2 (term 2): a majority, yet not committed
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: 4, index: 2 }));
    expect(r.raftLog.committed).toBe(1);
    r.step(msg({ type: MT.AppResp, from: 2, to: 1, term: 4, index: 3 }));
    expect(r.raftLog.committed).toBe(3);
  });
});
