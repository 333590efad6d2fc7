// The Raft state machine (etcd's raft.go): messages and ticks in, messages and log changes out.
// The role is a pair of swapped functions (tick, stepRole), not a switch spread through every method.
import type { RaftConfig, ResolvedConfig } from "./config.js";
import { resolveConfig } from "./config.js";
import { CampaignType } from "./campaign.js";
import { RaftError } from "./errors.js";
import { Progress, ProgressState } from "./progress.js";
import { RaftLog } from "./raft-log.js";
import { ReadOnly } from "./read-only.js";
import { stepCandidate } from "./step-candidate.js";
import { stepFollower } from "./step-follower.js";
import { stepLeader } from "./step-leader.js";
import { ProgressTracker, VoteResult } from "./tracker.js";
import type { ConfChange, ConfState, Entry, HardState, Message, MessageType, ReadState, Snapshot, SoftState } from "./types.js";
import { ConfChangeType, EntryType, MessageType as MT, NONE, StateType, isEmptyHardState, msg, voteRespType } from "./types.js";

const TRANSFER_CTX = new TextEncoder().encode("CampaignTransfer");
const isTransferCtx = (c: Uint8Array | undefined): boolean =>
  c !== undefined && c.length === TRANSFER_CTX.length && c.every((b, i) => b === TRANSFER_CTX[i]);

export class Raft {
  readonly id: number;
  readonly cfg: ResolvedConfig;
  term = 0;
  vote = NONE;
  lead = NONE;
  state: StateType = StateType.Follower;
  readonly raftLog: RaftLog;
  prs: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  readOnly = new ReadOnly();
  /** ReadIndex requests that arrived before the leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];
  leadTransferee = NONE;
  /** Index of the last membership change proposed; a new one waits until it is applied. */
  pendingConfIndex = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  tick: () => void = () => this.tickElection();
  stepRole: (r: Raft, m: Message) => void = stepFollower;

  constructor(config: RaftConfig) {
    this.cfg = resolveConfig(config);
    this.id = this.cfg.id;
    this.raftLog = new RaftLog(this.cfg.storage);
    const { hardState, confState } = this.cfg.storage.initialState();
    this.prs = new ProgressTracker(this.cfg.maxInflightMsgs);
    this.restoreConf(confState);
    if (!isEmptyHardState(hardState)) this.loadState(hardState);
    // what the application applied was committed, even if the hard state saying so was not yet written
    if (this.cfg.applied > this.raftLog.committed) this.raftLog.commitTo(this.cfg.applied);
    if (this.cfg.applied > 0) this.raftLog.appliedTo(this.cfg.applied);
    this.becomeFollower(this.term, NONE);
  }

  // ---- state -------------------------------------------------------------------------------

  hasLeader(): boolean {
    return this.lead !== NONE;
  }

  softState(): SoftState {
    return { lead: this.lead, state: this.state };
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  /** Only a voter may campaign; a removed or not-yet-added node never disrupts the cluster. */
  promotable(): boolean {
    return this.prs.progress.has(this.id);
  }

  private loadState(h: HardState): void {
    if (h.commit > this.raftLog.lastIndex())
      throw new RaftError("INVALID_CONFIG", `hard state commit ${h.commit} beyond last index ${this.raftLog.lastIndex()}`);
    // a snapshot persisted after the hard state (a crash between the two) is committed by definition
    this.raftLog.committed = Math.max(h.commit, this.raftLog.committed);
    this.term = h.term;
    this.vote = h.vote;
  }

  private restoreConf(cs: ConfState): void {
    this.prs = new ProgressTracker(this.cfg.maxInflightMsgs);
    const next = this.raftLog.lastIndex() + 1;
    for (const id of cs.voters) this.prs.progress.set(id, new Progress(0, next, this.cfg.maxInflightMsgs));
  }

  // ---- sending -----------------------------------------------------------------------------

  send(m: Message): void {
    // a forwarded request keeps its origin (a transfer names its transferee in `from`)
    if (m.from === NONE) m.from = this.id;
    if (m.type === MT.Vote || m.type === MT.VoteResp || m.type === MT.PreVote || m.type === MT.PreVoteResp) {
      if (m.term === 0) throw new Error(`term must be set on ${m.type}`);
    } else if (m.term !== 0) {
      throw new Error(`term must not be set on ${m.type}`);
    } else if (m.type !== MT.Prop && m.type !== MT.ReadIndex) {
      // proposals and read requests are forwarded as local messages
      m.term = this.term;
    }
    this.msgs.push(m);
  }

  sendAppend(to: number): void {
    this.maybeSendAppend(to, true);
  }

  /** Sends entries (or an empty probe if sendIfEmpty) to a follower; false if nothing went out. */
  maybeSendAppend(to: number, sendIfEmpty: boolean): boolean {
    const pr = this.prs.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.termOrUndefined(prevIndex);
    let ents: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        ents = this.raftLog.entries(pr.next, this.cfg.maxSizePerMsg);
      } catch {
        ents = undefined;
      }
    }
    if (prevTerm === undefined || ents === undefined) return this.maybeSendSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send(msg({ type: MT.App, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.raftLog.committed }));
    if (ents.length > 0) {
      const last = ents[ents.length - 1]!.index;
      if (pr.state === ProgressState.Replicate) {
        pr.optimisticUpdate(last);
        pr.inflights.add(last);
      } else if (pr.state === ProgressState.Probe) {
        pr.probeSent = true;
      }
    }
    return true;
  }

  /** §7: the entries the follower needs were compacted, so it gets the snapshot instead. */
  private maybeSendSnapshot(to: number, pr: Progress): boolean {
    if (!pr.recentActive) return false;
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch {
      return false;
    }
    if (snapshot.meta.index === 0) return false;
    pr.becomeSnapshot(snapshot.meta.index);
    this.send(msg({ type: MT.Snap, to, snapshot }));
    return true;
  }

  sendHeartbeat(to: number, ctx: Uint8Array | undefined): void {
    const pr = this.prs.progress.get(to)!;
    // a follower may not yet have the entries up to our commit index
    const commit = Math.min(pr.match, this.raftLog.committed);
    this.send(msg({ type: MT.Heartbeat, to, commit, context: ctx }));
  }

  bcastAppend(): void {
    for (const id of this.prs.voters()) if (id !== this.id) this.sendAppend(id);
  }

  bcastHeartbeat(ctx = this.readOnly.lastPendingRequestCtx()): void {
    for (const id of this.prs.voters()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  // ---- log ---------------------------------------------------------------------------------

  maybeCommit(): boolean {
    if (this.prs.progress.size === 0) return false;
    return this.raftLog.maybeCommit(this.prs.committed(), this.term);
  }

  appendEntry(es: Entry[]): void {
    let li = this.raftLog.lastIndex();
    for (const e of es) {
      e.term = this.term;
      e.index = ++li;
    }
    li = this.raftLog.append(es);
    // The leader counts itself before persisting. Safe because the driver persists a Ready before
    // stepping anything that could move the commit index past it.
    this.prs.progress.get(this.id)?.maybeUpdate(li);
    this.maybeCommit();
  }

  committedEntryInCurrentTerm(): boolean {
    return this.raftLog.termOrZero(this.raftLog.committed) === this.term;
  }

  // ---- roles -------------------------------------------------------------------------------

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.resetRandomizedElectionTimeout();
    this.abortLeaderTransfer();
    this.prs.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, pr] of this.prs.progress) {
      const fresh = new Progress(id === this.id ? last : 0, last + 1, this.cfg.maxInflightMsgs);
      fresh.recentActive = pr.recentActive;
      this.prs.progress.set(id, fresh);
    }
    this.pendingConfIndex = 0;
    this.readOnly = new ReadOnly();
    this.pendingReadIndexMessages = [];
  }

  becomeFollower(term: number, lead: number): void {
    this.stepRole = stepFollower;
    this.reset(term);
    this.tick = () => this.tickElection();
    this.lead = lead;
    this.state = StateType.Follower;
  }

  becomeCandidate(): void {
    if (this.state === StateType.Leader) throw new Error("leader cannot become candidate");
    this.stepRole = stepCandidate;
    this.reset(this.term + 1);
    this.tick = () => this.tickElection();
    this.vote = this.id;
    this.state = StateType.Candidate;
  }

  becomePreCandidate(): void {
    if (this.state === StateType.Leader) throw new Error("leader cannot become pre-candidate");
    // a pre-candidate changes neither term nor vote: it only asks whether it could win
    this.stepRole = stepCandidate;
    this.prs.resetVotes();
    this.tick = () => this.tickElection();
    this.lead = NONE;
    this.state = StateType.PreCandidate;
  }

  becomeLeader(): void {
    if (this.state === StateType.Follower) throw new Error("follower cannot become leader");
    this.stepRole = stepLeader;
    this.reset(this.term);
    this.tick = () => this.tickHeartbeat();
    this.lead = this.id;
    this.state = StateType.Leader;
    this.prs.progress.get(this.id)?.becomeReplicate();
    for (const pr of this.prs.progress.values()) pr.recentActive = true;
    // no membership change until the entries of earlier terms are known committed (the empty entry below)
    this.pendingConfIndex = this.raftLog.lastIndex();
    // §8: a no-op entry of the new term commits everything before it
    this.appendEntry([{ term: 0, index: 0, type: EntryType.Normal, data: new Uint8Array(0) }]);
  }

  // ---- time --------------------------------------------------------------------------------

  private resetRandomizedElectionTimeout(): void {
    this.randomizedElectionTimeout = this.cfg.electionTick + this.cfg.random.intn(this.cfg.electionTick);
  }

  pastElectionTimeout(): boolean {
    return this.electionElapsed >= this.randomizedElectionTimeout;
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.pastElectionTimeout()) {
      this.electionElapsed = 0;
      this.step(msg({ type: MT.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.cfg.electionTick) {
      this.electionElapsed = 0;
      if (this.cfg.checkQuorum) this.step(msg({ type: MT.CheckQuorum, from: this.id }));
      // a transfer that did not finish within an election timeout is abandoned
      if (this.state === StateType.Leader && this.leadTransferee !== NONE) this.abortLeaderTransfer();
    }
    if (this.state !== StateType.Leader) return;
    if (this.heartbeatElapsed >= this.cfg.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.step(msg({ type: MT.Beat, from: this.id }));
    }
  }

  abortLeaderTransfer(): void {
    this.leadTransferee = NONE;
  }

  // ---- elections ---------------------------------------------------------------------------

  hup(t: CampaignType): void {
    if (this.state === StateType.Leader || !this.promotable()) return;
    // a node must not campaign while a committed membership change is unapplied: its config is stale
    const pending = this.raftLog.nextCommittedEnts().some((e) => e.type === EntryType.ConfChange);
    if (pending && this.raftLog.committed > this.raftLog.applied) return;
    this.campaign(t);
  }

  campaign(t: CampaignType): void {
    let term: number;
    let voteMsg: MessageType;
    if (t === CampaignType.PreElection) {
      this.becomePreCandidate();
      voteMsg = MT.PreVote;
      term = this.term + 1; // the term we would have if elected
    } else {
      this.becomeCandidate();
      voteMsg = MT.Vote;
      term = this.term;
    }
    if (this.poll(this.id, voteRespType(voteMsg), true) === VoteResult.Won) {
      if (t === CampaignType.PreElection) this.campaign(CampaignType.Election);
      else this.becomeLeader();
      return;
    }
    const context = t === CampaignType.Transfer ? TRANSFER_CTX : undefined;
    for (const id of this.prs.voters()) {
      if (id === this.id) continue;
      this.send(msg({ type: voteMsg, to: id, term, index: this.raftLog.lastIndex(), logTerm: this.raftLog.lastTerm(), context }));
    }
  }

  poll(id: number, _t: MessageType, granted: boolean): VoteResult {
    this.prs.recordVote(id, granted);
    return this.prs.tallyVotes().result;
  }

  // ---- step --------------------------------------------------------------------------------

  step(m: Message): void {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === MT.Vote || m.type === MT.PreVote) {
        const force = isTransferCtx(m.context);
        const inLease = this.cfg.checkQuorum && this.lead !== NONE && this.electionElapsed < this.cfg.electionTick;
        // §6 / thesis §4.2.3: while we hear from a leader, ignore disruptive votes from removed or partitioned nodes
        if (!force && inLease) return;
      }
      if (m.type === MT.PreVote) {
        // never change our term for a pre-vote
      } else if (m.type === MT.PreVoteResp && !m.reject) {
        // the term is raised when the pre-vote is won
      } else if (m.type === MT.App || m.type === MT.Heartbeat || m.type === MT.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.cfg.checkQuorum || this.cfg.preVote) && (m.type === MT.Heartbeat || m.type === MT.App)) {
        // a stale leader cut off by pre-vote/check-quorum would never learn the new term otherwise
        this.send(msg({ type: MT.AppResp, to: m.from }));
      } else if (m.type === MT.PreVote) {
        this.send(msg({ type: MT.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case MT.Hup:
        this.hup(this.cfg.preVote ? CampaignType.PreElection : CampaignType.Election);
        return;
      case MT.Vote:
      case MT.PreVote: {
        const canVote =
          this.vote === m.from ||
          (this.vote === NONE && this.lead === NONE) ||
          (m.type === MT.PreVote && m.term > this.term);
        if (canVote && this.raftLog.isUpToDate(m.index, m.logTerm)) {
          this.send(msg({ type: voteRespType(m.type), to: m.from, term: m.term }));
          if (m.type === MT.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(msg({ type: voteRespType(m.type), to: m.from, term: this.term, reject: true }));
        }
        return;
      }
      default:
        this.stepRole(this, m);
    }
  }

  // ---- handlers shared by followers and candidates ---------------------------------------

  handleAppendEntries(m: Message): void {
    if (m.index < this.raftLog.committed) {
      this.send(msg({ type: MT.AppResp, to: m.from, index: this.raftLog.committed }));
      return;
    }
    const last = this.raftLog.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (last !== undefined) {
      this.send(msg({ type: MT.AppResp, to: m.from, index: last }));
      return;
    }
    // §5.3 with fast back-off: tell the leader where our log could match
    const hint = Math.min(m.index, this.raftLog.lastIndex());
    const [hintIndex, hintTerm] = this.raftLog.findConflictByTerm(hint, m.logTerm);
    this.send(msg({ type: MT.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }));
  }

  handleHeartbeat(m: Message): void {
    this.raftLog.commitTo(m.commit);
    this.send(msg({ type: MT.HeartbeatResp, to: m.from, context: m.context }));
  }

  handleSnapshot(m: Message): void {
    const s = m.snapshot!;
    if (this.restore(s)) this.send(msg({ type: MT.AppResp, to: m.from, index: this.raftLog.lastIndex() }));
    else this.send(msg({ type: MT.AppResp, to: m.from, index: this.raftLog.committed }));
  }

  /** Installs a snapshot; false if it is older than what we have committed. */
  restore(s: Snapshot): boolean {
    if (s.meta.index <= this.raftLog.committed) return false;
    if (this.state !== StateType.Follower) {
      // only a follower installs snapshots; become one in the same term and drop the leader
      this.becomeFollower(this.term + 1, NONE);
      return false;
    }
    if (this.raftLog.matchTerm(s.meta.index, s.meta.term)) {
      // we already have the entries: just move the commit index
      this.raftLog.commitTo(s.meta.index);
      return false;
    }
    this.raftLog.restore(s);
    this.restoreConf(s.meta.confState);
    const pr = this.prs.progress.get(this.id);
    pr?.maybeUpdate(s.meta.index);
    return true;
  }

  // ---- membership --------------------------------------------------------------------------

  /** Called by the driver when it applies a committed ConfChange entry. */
  applyConfChange(cc: ConfChange): ConfState {
    const next = this.raftLog.lastIndex() + 1;
    if (cc.type === ConfChangeType.AddNode) {
      if (!this.prs.progress.has(cc.nodeId)) {
        const pr = new Progress(0, next, this.cfg.maxInflightMsgs);
        pr.recentActive = true; // a new node gets an election timeout before it counts against check-quorum
        this.prs.progress.set(cc.nodeId, pr);
      }
    } else {
      this.prs.progress.delete(cc.nodeId);
      this.prs.votes.delete(cc.nodeId);
    }
    if (this.state === StateType.Leader) {
      if (!this.prs.progress.has(this.id)) {
        if (this.cfg.stepDownOnRemoval) this.becomeFollower(this.term, NONE);
      } else {
        if (this.leadTransferee !== NONE && !this.prs.progress.has(this.leadTransferee)) this.abortLeaderTransfer();
        // a smaller quorum may commit more; a new node needs entries
        if (this.maybeCommit()) this.bcastAppend();
        else if (cc.type === ConfChangeType.AddNode && cc.nodeId !== this.id) this.sendAppend(cc.nodeId);
      }
    }
    return this.prs.confState();
  }
}
