// The driver's handle on the core: inputs (tick, step, propose …) and the Ready/advance cycle.
import { RaftError } from "./errors.js";
import type { RaftConfig } from "./config.js";
import { Raft } from "./raft.js";
import type { ConfChange, ConfState, HardState, Message, Ready, SoftState } from "./types.js";
import { EntryType, MessageType as MT, NONE, StateType, hardStateEqual, isLocalMessage, isResponseMessage, msg } from "./types.js";
import { encodeConfChange } from "./codec.js";
import type { MessageLimits } from "./validate-message.js";
import { checkAgainstState, validateMessage } from "./validate-message.js";

export const SnapshotStatus = { Finish: 0, Failure: 1 } as const;
export type SnapshotStatus = (typeof SnapshotStatus)[keyof typeof SnapshotStatus];

export class RawNode {
  readonly raft: Raft;
  private prevSoft: SoftState;
  private prevHard: HardState;

  constructor(config: RaftConfig) {
    this.raft = new Raft(config);
    this.prevSoft = this.raft.softState();
    this.prevHard = this.raft.hardState();
  }

  tick(): void {
    this.raft.tick();
  }

  campaign(): void {
    this.raft.step(msg({ type: MT.Hup }));
  }

  /** Appends data to the log if this node leads, or forwards it to the leader. Throws PROPOSAL_DROPPED. */
  propose(data: Uint8Array): void {
    this.raft.step(msg({ type: MT.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data }] }));
  }

  proposeConfChange(cc: ConfChange): void {
    this.proposeEntry(EntryType.ConfChange, encodeConfChange(cc));
  }

  /** Proposes an entry of either type whose data the application encoded (a ConfChange's may be wrapped). */
  proposeEntry(type: EntryType, data: Uint8Array): void {
    this.raft.step(msg({ type: MT.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type, data }] }));
  }

  /** Must be called when a committed ConfChange entry is applied. */
  applyConfChange(cc: ConfChange): ConfState {
    return this.raft.applyConfChange(cc);
  }

  /** Steps a message from the network. Throws INVALID_MESSAGE, changing nothing, for one no correct peer sends. */
  step(m: Message, limits: MessageLimits = {}): void {
    if (isLocalMessage(m.type)) throw new RaftError("STEP_LOCAL_MSG", `message type ${m.type} is local`);
    validateMessage(m, limits);
    checkAgainstState(this.raft, m);
    if (isResponseMessage(m.type) && !this.raft.prs.progress.has(m.from) && this.raft.state === StateType.Leader) return;
    this.raft.step(m);
  }

  /** Requests a linearizable read; a ReadState with the same ctx appears in a later Ready. */
  readIndex(ctx: Uint8Array): void {
    this.raft.step(msg({ type: MT.ReadIndex, from: this.raft.id, entries: [{ term: 0, index: 0, type: EntryType.Normal, data: ctx }] }));
  }

  transferLeader(transferee: number): void {
    this.raft.step(msg({ type: MT.TransferLeader, from: transferee }));
  }

  reportUnreachable(id: number): void {
    this.raft.step(msg({ type: MT.Unreachable, from: id }));
  }

  reportSnapshot(id: number, status: SnapshotStatus): void {
    this.raft.step(msg({ type: MT.SnapStatus, from: id, reject: status === SnapshotStatus.Failure }));
  }

  status(): { id: number; term: number; lead: number; state: StateType; commit: number; applied: number; lastIndex: number } {
    const r = this.raft;
    return { id: r.id, term: r.term, lead: r.lead, state: r.state, commit: r.raftLog.committed, applied: r.raftLog.applied, lastIndex: r.raftLog.lastIndex() };
  }

  isLeader(): boolean {
    return this.raft.state === StateType.Leader;
  }

  leader(): number {
    return this.raft.lead ?? NONE;
  }

  hasReady(): boolean {
    const r = this.raft;
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) return true;
    const hard = r.hardState();
    if (!hardStateEqual(hard, this.prevHard) && !(hard.term === 0 && hard.vote === 0 && hard.commit === 0)) return true;
    if (r.raftLog.unstable.snapshot) return true;
    return r.msgs.length > 0 || r.raftLog.unstable.entries.length > 0 || r.raftLog.hasNextCommittedEnts() || r.readStates.length > 0;
  }

  /** Takes what must be done now. Call advance() once it is done; call ready() again only after. */
  ready(): Ready {
    const r = this.raft;
    const rd: Ready = {
      entries: r.raftLog.unstableEntries(),
      committedEntries: r.raftLog.nextCommittedEnts(),
      messages: r.msgs,
      readStates: r.readStates,
      mustSync: false,
    };
    r.msgs = [];
    r.readStates = [];
    const soft = r.softState();
    if (soft.lead !== this.prevSoft.lead || soft.state !== this.prevSoft.state) {
      rd.softState = soft;
      this.prevSoft = soft;
    }
    const hard = r.hardState();
    if (!hardStateEqual(hard, this.prevHard)) {
      rd.hardState = hard;
      rd.mustSync = hard.term !== this.prevHard.term || hard.vote !== this.prevHard.vote;
      this.prevHard = hard;
    }
    if (r.raftLog.unstable.snapshot) rd.snapshot = r.raftLog.unstable.snapshot;
    if (rd.entries.length > 0 || rd.snapshot) rd.mustSync = true;
    return rd;
  }

  /** The Ready has been persisted, sent and applied. */
  advance(rd: Ready): void {
    const log = this.raft.raftLog;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.meta.index);
      if (log.applied < rd.snapshot.meta.index) log.applied = rd.snapshot.meta.index;
    }
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1]!;
      log.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1]!.index);
  }
}

/** Messages a leader may send before its own fsync (thesis §10.2.1): they claim nothing about its disk. */
export const maySendBeforePersist = (m: Message): boolean =>
  m.type === MT.App || m.type === MT.Heartbeat || m.type === MT.Snap;
