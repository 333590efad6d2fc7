// RaftNode drives the deterministic core with real time, disk and network. Its Ready loop:
//   1. a leader sends its appends and heartbeats at once (they claim nothing about its disk),
//   2. persist entries, hard state and snapshot with one fdatasync (all proposals that arrived
//      meanwhile ride in the same write: group commit),
//   3. send every other message (votes, acknowledgements) — only now are they true,
//   4. apply committed entries, answer proposals and reads, advance.
// Messages keep being stepped while the disk works; the next Ready waits for advance().
import { randomBytes, randomInt } from "node:crypto";
import type { ConfChange, ConfState, Entry, Message, Ready } from "../core/index.js";
import {
  ConfChangeType,
  EntryType,
  RaftError,
  RawNode,
  SnapshotStatus,
  StateType,
  decodeConfChange,
  isRaftError,
  maySendBeforePersist,
  seededRandom,
} from "../core/index.js";
import { DiskStorage } from "../storage/disk-storage.js";
import { DEFAULT_SEGMENT_BYTES } from "../storage/wal.js";
import type { PeerAddress } from "../transport/tcp-transport.js";
import { TcpTransport } from "../transport/tcp-transport.js";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface StateMachine {
  /** Applies a committed command; the value resolves the proposal that created it. */
  apply(index: number, data: Uint8Array): unknown;
  snapshot(): Uint8Array;
  restore(data: Uint8Array): void;
}

export interface RaftNodeOptions {
  id: number;
  dataDir: string;
  /** Addresses of every server this node may talk to, itself included. */
  peers: Map<number, PeerAddress>;
  /** Members of a new cluster. Empty for a node that joins an existing cluster. */
  bootstrap: number[];
  stateMachine: StateMachine;
  /** Length of a tick (default 50 ms: heartbeats every tick, elections after 10–20 ticks, as etcd's 100 ms / 1 s). */
  tickMs?: number;
  electionTick?: number;
  heartbeatTick?: number;
  /** Take a snapshot and compact the log every this many applied entries. */
  snapshotEntries?: number;
  /** Entries kept behind a snapshot for followers that lag a little. */
  compactionMargin?: number;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  /** Size WAL segments are preallocated to. */
  walSegmentBytes?: number;
}

interface PendingProposal {
  term: number;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

interface PendingRead {
  index: number;
  resolve: () => void;
  reject: (e: Error) => void;
  deadline: number;
}

export class RaftNode {
  readonly id: number;
  private readonly rn: RawNode;
  private readonly transport: TcpTransport;
  private ticker: NodeJS.Timeout | undefined;
  private scheduled = false;
  private running = false;
  private stopped = false;
  private readonly proposals = new Map<number, PendingProposal>();
  private readonly reads = new Map<string, PendingRead>();
  private waitingReads: PendingRead[] = [];
  private readCounter = 0;
  private readonly readPrefix = randomBytes(8).toString("hex");
  private ticks = 0;
  private readonly leaderWaiters: (() => void)[] = [];
  private lastLeader = 0;
  private fatal: Error | undefined;

  private constructor(
    private readonly opts: Required<RaftNodeOptions>,
    private readonly storage: DiskStorage,
  ) {
    this.id = opts.id;
    const snap = storage.snapshot();
    opts.stateMachine.restore(snap.data);
    this.rn = new RawNode({
      id: opts.id,
      storage,
      applied: snap.meta.index,
      electionTick: opts.electionTick,
      heartbeatTick: opts.heartbeatTick,
      checkQuorum: true,
      preVote: true,
      maxSizePerMsg: opts.maxSizePerMsg,
      maxInflightMsgs: opts.maxInflightMsgs,
      random: seededRandom(randomInt(0, 2 ** 31)),
    });
    const self = opts.peers.get(opts.id);
    if (!self) throw new RaftError("INVALID_CONFIG", `no address for node ${opts.id}`);
    const others = new Map([...opts.peers].filter(([id]) => id !== opts.id));
    this.transport = new TcpTransport(opts.id, self, others, {
      onMessage: (m) => this.onMessage(m),
      onUnreachable: (peer) => this.safely(() => this.rn.reportUnreachable(peer)),
      onSnapshotSent: (peer, ok) => this.safely(() => this.rn.reportSnapshot(peer, ok ? SnapshotStatus.Finish : SnapshotStatus.Failure)),
    });
  }

  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const opts: Required<RaftNodeOptions> = {
      tickMs: 50,
      electionTick: 10,
      heartbeatTick: 1,
      snapshotEntries: 10_000,
      compactionMargin: 5_000,
      maxSizePerMsg: 1024 * 1024,
      maxInflightMsgs: 256,
      walSegmentBytes: DEFAULT_SEGMENT_BYTES,
      ...options,
    };
    const storage = await DiskStorage.open(opts.dataDir, opts.bootstrap, { segmentBytes: opts.walSegmentBytes });
    const node = new RaftNode(opts, storage);
    await node.transport.start();
    node.ticker = setInterval(() => node.tick(), opts.tickMs);
    node.kick();
    return node;
  }

  // ---- public API ---------------------------------------------------------------------------

  isLeader(): boolean {
    return this.rn.raft.state === StateType.Leader;
  }

  leader(): number {
    return this.rn.raft.lead;
  }

  status(): ReturnType<RawNode["status"]> & { snapshotIndex: number; firstIndex: number } {
    return { ...this.rn.status(), snapshotIndex: this.storage.snapshot().meta.index, firstIndex: this.storage.firstIndex() };
  }

  /** Resolves once some leader is known (this node or another). */
  async waitForLeader(timeoutMs = 10_000): Promise<number> {
    if (this.leader() !== 0) return this.leader();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new RaftError("TIMEOUT", "no leader elected")), timeoutMs);
      this.leaderWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
    return this.leader();
  }

  /**
   * Replicates data and resolves with the state machine's result once applied here. Only the
   * leader accepts (NOT_LEADER names the leader to retry at). LEADERSHIP_LOST means the outcome
   * is unknown: retry with the same client session.
   */
  propose(data: Uint8Array): Promise<unknown> {
    return this.proposeEntry(() => this.rn.propose(data));
  }

  proposeConfChange(cc: ConfChange): Promise<unknown> {
    return this.proposeEntry(() => this.rn.proposeConfChange(cc));
  }

  private proposeEntry(step: () => void): Promise<unknown> {
    this.checkUsable();
    if (!this.isLeader()) return Promise.reject(new RaftError("NOT_LEADER", `node ${this.id} is not the leader`, this.leader()));
    return new Promise((resolve, reject) => {
      try {
        step();
      } catch (e) {
        reject(e as Error);
        return;
      }
      const index = this.rn.raft.raftLog.lastIndex();
      this.proposals.set(index, { term: this.rn.raft.term, resolve, reject });
      this.kick();
    });
  }

  /** Resolves when a read of the state machine here is linearizable (ReadIndex, thesis §6.4). */
  linearizableRead(timeoutMs = 5_000): Promise<void> {
    this.checkUsable();
    const key = `${this.readPrefix}:${++this.readCounter}`;
    return new Promise((resolve, reject) => {
      try {
        this.rn.readIndex(utf8Encoder.encode(key));
      } catch (e) {
        reject(isRaftError(e, "PROPOSAL_DROPPED") ? new RaftError("NOT_LEADER", "no leader known for a read", 0) : (e as Error));
        return;
      }
      this.reads.set(key, { index: 0, resolve, reject, deadline: this.ticks + Math.ceil(timeoutMs / this.opts.tickMs) });
      this.kick();
    });
  }

  transferLeadership(to: number): void {
    this.rn.transferLeader(to);
    this.kick();
  }

  addPeerAddress(id: number, addr: PeerAddress): void {
    this.opts.peers.set(id, addr);
    this.transport.addPeer(id, addr);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    const err = new RaftError("STOPPED", `node ${this.id} stopped`);
    for (const p of this.proposals.values()) p.reject(err);
    for (const r of [...this.reads.values(), ...this.waitingReads]) r.reject(err);
    this.proposals.clear();
    this.reads.clear();
    this.waitingReads = [];
    await this.transport.stop();
    while (this.running) await new Promise((r) => setTimeout(r, 1));
    await this.storage.close();
  }

  // ---- inputs -------------------------------------------------------------------------------

  private checkUsable(): void {
    if (this.fatal) throw this.fatal;
    if (this.stopped) throw new RaftError("STOPPED", `node ${this.id} stopped`);
  }

  private safely(f: () => void): void {
    if (this.stopped) return;
    try {
      f();
    } catch (e) {
      if (!isRaftError(e)) throw e;
    }
    this.kick();
  }

  private onMessage(m: Message): void {
    if (m.to !== this.id) return;
    this.safely(() => this.rn.step(m));
  }

  private tick(): void {
    this.ticks++;
    this.rn.tick();
    // a read whose heartbeat round never completed (leader deposed, partition) fails after its deadline
    for (const [k, r] of this.reads) {
      if (r.deadline < this.ticks) {
        this.reads.delete(k);
        r.reject(new RaftError("TIMEOUT", "read index not confirmed"));
      }
    }
    this.kick();
  }

  private kick(): void {
    if (this.scheduled || this.running || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.runReady();
    });
  }

  // ---- the Ready loop ----------------------------------------------------------------------

  private async runReady(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      while (!this.stopped && this.rn.hasReady()) await this.handleReady(this.rn.ready());
    } catch (e) {
      // a failed fsync leaves the disk in an unknown state: stop rather than acknowledge anything (as etcd does)
      this.fatal = e as Error;
      this.running = false;
      await this.stop();
      throw e;
    }
    this.running = false;
  }

  private async handleReady(rd: Ready): Promise<void> {
    const leader = this.rn.raft.state === StateType.Leader;
    const early = leader ? rd.messages.filter(maySendBeforePersist) : [];
    const late = leader ? rd.messages.filter((m) => !maySendBeforePersist(m)) : rd.messages;
    this.transport.send(early);

    // Committed entries older than this Ready's new ones are already on this disk and on a
    // quorum's: apply them now rather than behind this Ready's fsync. The rest (a follower that
    // got entries and their commit together, a single-server cluster) wait for the write.
    const firstNew = rd.entries.length > 0 ? rd.entries[0]!.index : Infinity;
    const applyNow = rd.snapshot ? [] : rd.committedEntries.filter((e) => e.index < firstNew);
    const applyLater = rd.committedEntries.slice(applyNow.length);
    for (const e of applyNow) this.apply(e);

    if (rd.entries.length > 0 || rd.hardState || rd.snapshot) await this.storage.save(rd);
    if (this.stopped) return;
    this.transport.send(late);

    if (rd.snapshot) this.opts.stateMachine.restore(rd.snapshot.data);
    for (const e of applyLater) this.apply(e);
    for (const rs of rd.readStates) {
      const key = utf8Decoder.decode(rs.requestCtx);
      const r = this.reads.get(key);
      if (!r) continue;
      this.reads.delete(key);
      r.index = rs.index;
      this.waitingReads.push(r);
    }
    if (rd.softState) this.onSoftState();
    this.rn.advance(rd);
    this.serveReads();
    await this.maybeCompact();
  }

  private apply(e: Entry): void {
    let result: unknown;
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(e.data);
      const cs: ConfState = this.rn.applyConfChange(cc);
      result = cs;
      for (const id of cs.voters) {
        const addr = this.opts.peers.get(id);
        if (id !== this.id && addr) this.transport.addPeer(id, addr);
      }
      if (cc.type === ConfChangeType.RemoveNode && cc.nodeId !== this.id) this.transport.removePeer(cc.nodeId);
    } else if (e.data.length > 0) {
      result = this.opts.stateMachine.apply(e.index, e.data);
    }
    const p = this.proposals.get(e.index);
    if (!p) return;
    this.proposals.delete(e.index);
    if (p.term === e.term) p.resolve(result);
    else p.reject(new RaftError("LEADERSHIP_LOST", `entry ${e.index} was replaced by term ${e.term}`, this.leader()));
  }

  private onSoftState(): void {
    if (this.leader() !== 0) for (const w of this.leaderWaiters.splice(0)) w();
    if (this.leader() !== this.lastLeader) {
      // a read index request not yet answered died with the leader that was asked; one already
      // answered (in waitingReads) stays valid at its index
      for (const r of this.reads.values()) r.reject(new RaftError("LEADERSHIP_LOST", "leader changed before the read was confirmed", this.leader()));
      this.reads.clear();
      this.lastLeader = this.leader();
    }
    if (this.isLeader()) return;
    // a deposed leader cannot know whether its pending entries will commit
    for (const [i, p] of this.proposals) {
      p.reject(new RaftError("LEADERSHIP_LOST", `leadership lost before entry ${i} was applied`, this.leader()));
    }
    this.proposals.clear();
  }

  private serveReads(): void {
    if (this.waitingReads.length === 0) return;
    const applied = this.rn.raft.raftLog.applied;
    const still: PendingRead[] = [];
    for (const r of this.waitingReads) {
      if (r.index <= applied) r.resolve();
      else still.push(r);
    }
    this.waitingReads = still;
  }

  private async maybeCompact(): Promise<void> {
    const applied = this.rn.raft.raftLog.applied;
    if (applied - this.storage.snapshot().meta.index < this.opts.snapshotEntries || applied > this.storage.lastIndex()) return;
    await this.storage.compact(applied, this.rn.raft.prs.confState(), this.opts.stateMachine.snapshot(), this.opts.compactionMargin);
  }
}
