// One simulated server: a RawNode over a MemoryStorage that stands for its disk, and the key/value
// state machine. A crash drops everything but the disk; a crash in the middle of a write keeps only
// a prefix of it, as a torn write-ahead log would after its tail is cut.
import type { ConfChange, Entry, HardState, Message, Ready } from "../core/index.js";
import {
  EntryType,
  MemoryStorage,
  RawNode,
  SnapshotStatus,
  StateType,
  decodeConfChange,
  isRaftError,
  maySendBeforePersist,
  seededRandom,
} from "../core/index.js";
import type { KvCommand } from "../kv/kv-command.js";
import { decodeCommand, encodeCommand } from "../kv/kv-command.js";
import { KvStateMachine } from "../kv/kv-state-machine.js";
import type { SafetyChecker } from "./safety-checker.js";

export type ClientReply = { ok: true; value?: string } | { ok: false; leader: number };

export interface SimNodeHost {
  send(m: Message): void;
  checker: SafetyChecker;
  /** How long a write (and its fsync) takes. */
  writeDelay(): number;
  /** May schedule a crash of the node within the write's duration. */
  maybeCrashDuringWrite(node: SimNode, writeDelay: number): void;
  schedule(delay: number, run: () => void): void;
  random(): number;
  onConfChange(node: number, cc: ConfChange): void;
  electionTick: number;
  heartbeatTick: number;
  snapshotEvery: number;
}

export class SimNode {
  rn!: RawNode;
  kv = new KvStateMachine();
  alive = false;
  private incarnation = 0;
  private readCounter = 0;
  private pendingPuts = new Map<string, (r: ClientReply) => void>();
  private pendingReads = new Map<string, { key: string; reply: (r: ClientReply) => void }>();
  private waitingReads: { index: number; key: string; reply: (r: ClientReply) => void }[] = [];
  /** The Ready whose write is in progress; the next Ready waits for it. */
  private persisting: Ready | undefined;
  private deferredHardState: HardState | undefined;

  constructor(
    readonly id: number,
    readonly disk: MemoryStorage,
    private readonly host: SimNodeHost,
    private readonly seed: number,
  ) {}

  start(): void {
    this.incarnation++;
    const snap = this.disk.snapshot();
    this.kv = new KvStateMachine();
    this.kv.restore(snap.data);
    this.host.checker.onStateMachineReset(this.id, snap.meta.index);
    this.rn = new RawNode({
      id: this.id,
      storage: this.disk,
      applied: snap.meta.index,
      electionTick: this.host.electionTick,
      heartbeatTick: this.host.heartbeatTick,
      checkQuorum: true,
      preVote: true,
      maxInflightMsgs: 8,
      maxSizePerMsg: 4096,
      random: seededRandom(this.seed * 7919 + this.id * 104729 + this.incarnation),
    });
    this.alive = true;
    this.pendingPuts.clear();
    this.pendingReads.clear();
    this.waitingReads = [];
  }

  crash(): void {
    if (this.persisting) this.tearWrite(this.persisting);
    this.persisting = undefined;
    this.deferredHardState = undefined;
    this.alive = false;
  }

  isLeader(): boolean {
    return this.alive && this.rn.raft.state === StateType.Leader;
  }

  tick(): void {
    this.rn.tick();
    this.process();
  }

  deliver(m: Message): void {
    try {
      this.rn.step(m);
    } catch (e) {
      // a forwarded proposal or read reaching a node that lost its leader is dropped, like a lost message
      if (!isRaftError(e, "PROPOSAL_DROPPED")) throw e;
    }
    this.process();
  }

  put(cmd: KvCommand, reply: (r: ClientReply) => void): void {
    try {
      this.rn.propose(encodeCommand(cmd));
    } catch (e) {
      if (!isRaftError(e)) throw e;
      reply({ ok: false, leader: this.rn.raft.lead });
      return;
    }
    this.pendingPuts.set(`${cmd.clientId}:${cmd.seq}`, reply);
    this.process();
  }

  get(key: string, reply: (r: ClientReply) => void): void {
    const ctx = `${this.id}/${this.incarnation}/${++this.readCounter}`;
    try {
      this.rn.readIndex(new TextEncoder().encode(ctx));
    } catch (e) {
      if (!isRaftError(e)) throw e;
      reply({ ok: false, leader: this.rn.raft.lead });
      return;
    }
    this.pendingReads.set(ctx, { key, reply });
    this.process();
  }

  proposeConfChange(cc: ConfChange): boolean {
    try {
      this.rn.proposeConfChange(cc);
    } catch (e) {
      if (!isRaftError(e)) throw e;
      return false;
    }
    this.process();
    return true;
  }

  reportSnapshot(to: number, ok: boolean): void {
    this.rn.reportSnapshot(to, ok ? SnapshotStatus.Finish : SnapshotStatus.Failure);
    this.process();
  }

  transferLeader(to: number): void {
    this.rn.transferLeader(to);
    this.process();
  }

  /**
   * Runs Ready cycles in the order RaftNode uses: a leader's appends go out at once, committed
   * entries already on this disk are applied, then the write takes simulated time during which
   * messages keep being stepped; only when it completes do the other messages go out, the rest is
   * applied and advance() is called. A crash during the write keeps a prefix of its records.
   */
  private process(): void {
    while (this.alive && !this.persisting && this.rn.hasReady()) {
      const rd = this.rn.ready();
      const raft = this.rn.raft;
      if (rd.softState?.state === StateType.Leader) this.host.checker.onLeader(raft);
      const leader = raft.state === StateType.Leader;
      const early = leader ? rd.messages.filter(maySendBeforePersist) : [];
      const late = leader ? rd.messages.filter((m) => !maySendBeforePersist(m)) : rd.messages;
      for (const m of early) this.host.send(m);
      const firstNew = rd.entries.length > 0 ? rd.entries[0]!.index : Infinity;
      const applyNow = rd.snapshot ? [] : rd.committedEntries.filter((e) => e.index < firstNew);
      for (const e of applyNow) this.apply(e);
      const applyLater = rd.committedEntries.slice(applyNow.length);

      if (rd.entries.length === 0 && !rd.snapshot && !rd.mustSync) {
        // only the commit index moved: like DiskStorage, write it with the next durable record
        if (rd.hardState) this.deferredHardState = rd.hardState;
        this.finish(rd, late, applyLater);
        continue;
      }
      this.persisting = rd;
      const incarnation = this.incarnation;
      const delay = this.host.writeDelay();
      this.host.maybeCrashDuringWrite(this, delay);
      this.host.schedule(delay, () => {
        if (this.incarnation !== incarnation || !this.alive) return;
        this.persisting = undefined;
        this.persist(rd);
        this.finish(rd, late, applyLater);
        this.process();
      });
      return;
    }
  }

  private persist(rd: Ready): void {
    if (rd.snapshot) this.disk.applySnapshot(rd.snapshot);
    this.disk.append(rd.entries);
    const hs = rd.hardState ?? this.deferredHardState;
    if (hs) this.disk.setHardState(hs);
    this.deferredHardState = undefined;
    this.host.checker.onPersist(this.id, rd.entries, (i) => {
      try {
        return this.disk.term(i);
      } catch {
        return undefined;
      }
    });
  }

  /** A crash in the middle of a write: the snapshot file may have landed, and a prefix of the log records. */
  private tearWrite(rd: Ready): void {
    if (rd.snapshot) {
      if (this.host.random() < 0.5) return;
      this.disk.applySnapshot(rd.snapshot);
    }
    const records = rd.entries.length + 1; // entries, then the hard state record
    const kept = Math.floor(this.host.random() * (records + 1));
    this.disk.append(rd.entries.slice(0, kept));
    if (kept === records) {
      const hs = rd.hardState ?? this.deferredHardState;
      if (hs) this.disk.setHardState(hs);
    }
  }

  private finish(rd: Ready, late: Message[], applyLater: Entry[]): void {
    for (const m of late) this.host.send(m);
    if (rd.snapshot) {
      this.kv.restore(rd.snapshot.data);
      this.host.checker.onStateMachineReset(this.id, rd.snapshot.meta.index);
    }
    for (const e of applyLater) this.apply(e);
    for (const rs of rd.readStates) {
      const ctx = new TextDecoder().decode(rs.requestCtx);
      const r = this.pendingReads.get(ctx);
      if (!r) continue;
      this.pendingReads.delete(ctx);
      this.waitingReads.push({ index: rs.index, ...r });
    }
    this.rn.advance(rd);
    this.serveReads();
    this.maybeSnapshot();
  }

  private apply(e: Entry): void {
    this.host.checker.onApply(this.id, e);
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      this.rn.applyConfChange(cc);
      this.host.onConfChange(this.id, cc);
      return;
    }
    if (e.data.length === 0) return;
    const result = this.kv.apply(e.index, e.data);
    const cmd = decodeCommand(e.data);
    const key = `${cmd.clientId}:${cmd.seq}`;
    const reply = this.pendingPuts.get(key);
    if (reply && result) {
      this.pendingPuts.delete(key);
      reply({ ok: true });
    }
  }

  private serveReads(): void {
    const applied = this.rn.raft.raftLog.applied;
    const still: typeof this.waitingReads = [];
    for (const r of this.waitingReads) {
      if (r.index <= applied) r.reply({ ok: true, value: this.kv.get(r.key) });
      else still.push(r);
    }
    this.waitingReads = still;
  }

  /** Log compaction (§7): snapshot the state machine and drop most of the log behind it. */
  private maybeSnapshot(): void {
    const applied = this.rn.raft.raftLog.applied;
    const snapIndex = this.disk.snapshot().meta.index;
    if (applied - snapIndex < this.host.snapshotEvery || applied > this.disk.lastIndex()) return;
    this.disk.createSnapshot(applied, this.rn.raft.prs.confState(), this.kv.snapshot());
    this.disk.compact(Math.max(applied - 3, this.disk.firstIndex()));
  }
}
