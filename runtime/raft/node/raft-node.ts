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
  MessageType,
  NONE,
  RaftError,
  RawNode,
  SnapshotStatus,
  StateType,
  decodeConfChange,
  encodeConfChange,
  isRaftError,
  maySendBeforePersist,
  seededRandom,
  validateMessage,
} from "../core/index.js";
import { DiskStorage } from "../storage/disk-storage.js";
import { DEFAULT_SEGMENT_BYTES } from "../storage/wal.js";
import { DEFAULT_MAX_FRAME_BYTES } from "../transport/frame-decoder.js";
import { secretBytes } from "../transport/handshake.js";
import type { PeerAddress } from "../transport/tcp-transport.js";
import { TcpTransport } from "../transport/tcp-transport.js";
import { ENVELOPE_BYTES, ProposalIds, proposalKey, proposalPayload } from "./proposal-envelope.js";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

export interface StateMachine {
  /**
   * Applies a committed command; the value resolves the proposal that created it. A command it
   * refuses by throwing must change nothing, and every member must refuse it alike (apply is
   * deterministic): the entry then counts as applied, and the error rejects its proposal.
   * A promise is awaited before the next entry is applied (replicated handlers run one at a time,
   * in log order); it rejects like a throw.
   */
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
  /**
   * The secret every member of the cluster shares (at least 16 bytes): each peer connection starts
   * with a challenge–response proving both ends know it. Required when `peers` names another server.
   */
  secret?: string | Uint8Array;
  /** Largest proposal (default 1 MiB); a larger one is refused with ENTRY_TOO_LARGE before it reaches the log. */
  maxEntryBytes?: number;
  /** Largest transport frame (default 64 MiB). A snapshot travels in one frame, so it must fit. */
  maxFrameBytes?: number;
  /** A peer connection stalled this long in its handshake or in the middle of a frame is closed (default 10 s). */
  peerIdleTimeoutMs?: number;
  /** Default deadline of propose() and proposeConfChange() (default 5 s). */
  proposeTimeoutMs?: number;
  /** Hears what the node survived (a refused connection or message). Default: console.warn. */
  onError?: (e: RaftError) => void;
}

type ResolvedOptions = Required<Omit<RaftNodeOptions, "secret">> & { secret: Buffer | undefined };

export type RaftRole = "leader" | "follower" | "candidate" | "pre-candidate";

const roleOf = (s: StateType): RaftRole =>
  s === StateType.Leader ? "leader" : s === StateType.Candidate ? "candidate" : s === StateType.PreCandidate ? "pre-candidate" : "follower";

export interface RaftNodeStatus {
  id: number;
  /** The leader this node knows of, 0 if none. */
  leaderId: number;
  term: number;
  role: RaftRole;
  commitIndex: number;
  appliedIndex: number;
  lastIndex: number;
  snapshotIndex: number;
  firstIndex: number;
}

export interface LeaderChange {
  leaderId: number;
  term: number;
  role: RaftRole;
}

export interface ProposeOptions {
  /** Fail with PROPOSAL_TIMEOUT (outcome unknown) if not applied here by then; default proposeTimeoutMs. */
  timeoutMs?: number;
}

/** A proposal waiting to be applied here (etcd's wait registry), keyed by the id in its entry. */
interface Waiter {
  /** The leader it was handed to: if another leads before it applies, its outcome is unknown. */
  leader: number;
  deadline: number;
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
  private readonly waiters = new Map<string, Waiter>();
  private readonly ids = new ProposalIds();
  private readonly leaderListeners = new Set<(c: LeaderChange) => void>();
  private readonly reads = new Map<string, PendingRead>();
  private waitingReads: PendingRead[] = [];
  private readCounter = 0;
  private readonly readPrefix = randomBytes(8).toString("hex");
  private ticks = 0;
  private readonly leaderWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private lastLeader = 0;
  private fatal: Error | undefined;

  private constructor(
    private readonly opts: ResolvedOptions,
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
    this.transport = new TcpTransport(
      opts.id,
      self,
      others,
      {
        onMessage: (m) => this.onMessage(m),
        onUnreachable: (peer) => this.safely(() => this.rn.reportUnreachable(peer)),
        onSnapshotSent: (peer, ok) => this.safely(() => this.rn.reportSnapshot(peer, ok ? SnapshotStatus.Finish : SnapshotStatus.Failure)),
        onPeerError: (e, remote) => opts.onError(new RaftError(e.code, `node ${opts.id}, connection ${remote}: ${e.detail}`)),
      },
      { secret: opts.secret, maxFrameBytes: opts.maxFrameBytes, idleTimeoutMs: opts.peerIdleTimeoutMs },
    );
  }

  static async start(options: RaftNodeOptions): Promise<RaftNode> {
    const opts = resolveOptions(options);
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

  status(): RaftNodeStatus {
    const s = this.rn.status();
    return {
      id: s.id,
      leaderId: s.lead,
      term: s.term,
      role: roleOf(s.state),
      commitIndex: s.commit,
      appliedIndex: s.applied,
      lastIndex: s.lastIndex,
      snapshotIndex: this.storage.snapshot().meta.index,
      firstIndex: this.storage.firstIndex(),
    };
  }

  /** Calls listener whenever the known leader or this node's role changes; returns the unsubscribe. */
  onLeaderChange(listener: (c: LeaderChange) => void): () => void {
    this.leaderListeners.add(listener);
    return () => this.leaderListeners.delete(listener);
  }

  /** Resolves once some leader is known (this node or another). */
  async waitForLeader(timeoutMs = 10_000): Promise<number> {
    if (this.leader() !== NONE) return this.leader();
    this.checkUsable();
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new RaftError("TIMEOUT", `node ${this.id} knows no leader after ${timeoutMs} ms`)), timeoutMs);
      this.leaderWaiters.push({
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
        reject: (e) => {
          clearTimeout(t);
          reject(e);
        },
      });
    });
    return this.leader();
  }

  /**
   * Replicates data from any member (a follower forwards it to the leader) and resolves with the
   * state machine's result once the entry is applied on this node. Typed failures: ENTRY_TOO_LARGE,
   * TIMEOUT (no leader known by the deadline) and PROPOSAL_DROPPED (refused by the core, e.g. during
   * a leadership transfer) mean it was not proposed; LEADERSHIP_LOST and PROPOSAL_TIMEOUT mean its
   * outcome is unknown (isOutcomeUnknown): retry with the same client session.
   */
  propose(data: Uint8Array, options: ProposeOptions = {}): Promise<unknown> {
    if (data.length > this.opts.maxEntryBytes)
      return Promise.reject(new RaftError("ENTRY_TOO_LARGE", `a proposal of ${data.length} bytes exceeds maxEntryBytes ${this.opts.maxEntryBytes}`));
    return this.submit(EntryType.Normal, data, options);
  }

  /** A membership change, proposed from any member like propose(); resolves with the new ConfState. */
  proposeConfChange(cc: ConfChange, options: ProposeOptions = {}): Promise<unknown> {
    return this.submit(EntryType.ConfChange, encodeConfChange(cc), options);
  }

  private async submit(type: EntryType, payload: Uint8Array, options: ProposeOptions): Promise<unknown> {
    this.checkUsable();
    const timeoutMs = options.timeoutMs ?? this.opts.proposeTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    if (this.leader() === NONE) await this.waitForLeader(timeoutMs);
    this.checkUsable();
    const { key, data } = this.ids.wrap(payload);
    return new Promise((resolve, reject) => {
      // registered before proposing: on a single server the entry may apply in this very turn
      this.waiters.set(key, { leader: this.leader(), deadline, resolve, reject });
      try {
        this.rn.proposeEntry(type, data);
      } catch (e) {
        this.waiters.delete(key);
        reject(e as Error);
        return;
      }
      this.kick();
    });
  }

  /** Resolves when a read of the state machine here is linearizable (ReadIndex, thesis §6.4); works on any member. */
  async linearizableRead(timeoutMs = 5_000): Promise<void> {
    this.checkUsable();
    const deadline = this.ticks + Math.ceil(timeoutMs / this.opts.tickMs);
    if (this.leader() === NONE) await this.waitForLeader(timeoutMs);
    this.checkUsable();
    const key = `${this.readPrefix}:${++this.readCounter}`;
    return new Promise((resolve, reject) => {
      try {
        this.rn.readIndex(utf8Encoder.encode(key));
      } catch (e) {
        reject(isRaftError(e, "PROPOSAL_DROPPED") ? new RaftError("NOT_LEADER", "no leader known for a read", 0) : (e as Error));
        return;
      }
      this.reads.set(key, { index: 0, resolve, reject, deadline });
      this.kick();
    });
  }

  transferLeadership(to: number): void {
    this.rn.transferLeader(to);
    this.kick();
  }

  addPeerAddress(id: number, addr: PeerAddress): void {
    if (!this.opts.secret) throw new RaftError("INVALID_CONFIG", `node ${this.id} was started without a secret and cannot talk to peers`);
    this.opts.peers.set(id, addr);
    this.transport.addPeer(id, addr);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.ticker);
    const err = new RaftError("STOPPED", `node ${this.id} stopped`);
    for (const p of this.waiters.values()) p.reject(err);
    for (const r of [...this.reads.values(), ...this.waitingReads]) r.reject(err);
    for (const w of this.leaderWaiters.splice(0)) w.reject(err);
    this.waiters.clear();
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

  /** A message from an authenticated peer. Throws INVALID_MESSAGE for one no correct peer sends: the transport closes that connection. */
  private onMessage(m: Message): void {
    if (this.stopped) return;
    const limits = { maxEntryBytes: this.opts.maxEntryBytes + ENVELOPE_BYTES };
    if (m.to !== this.id) {
      validateMessage(m, limits);
      return;
    }
    // a membership change this node could not apply would stop every member at the same entry
    if (m.type === MessageType.Prop) for (const e of m.entries) if (e.type === EntryType.ConfChange) checkConfChange(m, e);
    try {
      this.rn.step(m, limits);
    } catch (e) {
      if (!isRaftError(e) || e.code === "INVALID_MESSAGE") throw e;
    } finally {
      this.kick();
    }
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
    const now = Date.now();
    for (const [k, w] of this.waiters) {
      if (w.deadline < now) {
        this.waiters.delete(k);
        w.reject(new RaftError("PROPOSAL_TIMEOUT", `proposal not applied on node ${this.id} by its deadline: outcome unknown`, this.leader()));
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
    for (const e of applyNow) {
      const pending = this.apply(e);
      if (pending !== undefined) await pending;
    }

    if (rd.entries.length > 0 || rd.hardState || rd.snapshot) await this.storage.save(rd);
    if (this.stopped) return;
    this.transport.send(late);

    if (rd.snapshot) this.opts.stateMachine.restore(rd.snapshot.data);
    for (const e of applyLater) {
      const pending = this.apply(e);
      if (pending !== undefined) await pending;
    }
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

  /** Returns a promise only when the state machine's apply did (kept synchronous otherwise). */
  private apply(e: Entry): Promise<void> | undefined {
    let result: unknown;
    let refused: Error | undefined;
    const payload = proposalPayload(e.data);
    if (e.type === EntryType.ConfChange) {
      const cc = decodeConfChange(payload);
      const cs: ConfState = this.rn.applyConfChange(cc);
      result = cs;
      for (const id of cs.voters) {
        const addr = this.opts.peers.get(id);
        if (id !== this.id && addr) this.transport.addPeer(id, addr);
      }
      if (cc.type === ConfChangeType.RemoveNode && cc.nodeId !== this.id) this.transport.removePeer(cc.nodeId);
    } else if (payload.length > 0) {
      try {
        result = this.opts.stateMachine.apply(e.index, payload);
      } catch (err) {
        // every member refuses the same entry the same way: it is the proposer's answer, not a crash
        refused = err instanceof Error ? err : new Error(String(err));
      }
      if (result instanceof Promise) {
        return result.then(
          (r: unknown) => this.settle(e, r, undefined),
          (err: unknown) => this.settle(e, undefined, err instanceof Error ? err : new Error(String(err))),
        );
      }
    }
    this.settle(e, result, refused);
    return undefined;
  }

  private settle(e: Entry, result: unknown, refused: Error | undefined): void {
    // most entries applied here were proposed elsewhere: look for a waiter only if there is one
    if (this.waiters.size === 0) return;
    const key = proposalKey(e.data);
    if (key === undefined) return;
    const w = this.waiters.get(key);
    if (!w) return;
    this.waiters.delete(key);
    if (refused) w.reject(refused);
    else w.resolve(result);
  }

  private onSoftState(): void {
    const change: LeaderChange = { leaderId: this.leader(), term: this.rn.raft.term, role: roleOf(this.rn.raft.state) };
    for (const l of this.leaderListeners) {
      try {
        l(change);
      } catch (e) {
        this.opts.onError(new RaftError("INVALID_ARGUMENT", `an onLeaderChange listener threw: ${String(e)}`));
      }
    }
    if (this.leader() !== NONE) for (const w of this.leaderWaiters.splice(0)) w.resolve();
    // a proposal handed to another leader than the current one may or may not commit (a deposed
    // leader cannot know either): its outcome is unknown, as etcd reports on a leader change
    for (const [k, w] of this.waiters) {
      if (w.leader === this.leader()) continue;
      this.waiters.delete(k);
      w.reject(new RaftError("LEADERSHIP_LOST", `leader changed from ${w.leader} to ${this.leader()} before the proposal was applied`, this.leader()));
    }
    if (this.leader() !== this.lastLeader) {
      // a read index request not yet answered died with the leader that was asked; one already
      // answered (in waitingReads) stays valid at its index
      for (const r of this.reads.values()) r.reject(new RaftError("LEADERSHIP_LOST", "leader changed before the read was confirmed", this.leader()));
      this.reads.clear();
      this.lastLeader = this.leader();
    }
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

const resolveOptions = (o: RaftNodeOptions): ResolvedOptions => {
  const opts: ResolvedOptions = {
    tickMs: 50,
    electionTick: 10,
    heartbeatTick: 1,
    snapshotEntries: 10_000,
    compactionMargin: 5_000,
    maxSizePerMsg: 1024 * 1024,
    maxInflightMsgs: 256,
    walSegmentBytes: DEFAULT_SEGMENT_BYTES,
    maxEntryBytes: 1024 * 1024,
    maxFrameBytes: DEFAULT_MAX_FRAME_BYTES,
    peerIdleTimeoutMs: 10_000,
    proposeTimeoutMs: 5_000,
    onError: (e) => console.warn(`rony-ts raft: ${e.message}`),
    ...o,
    secret: o.secret === undefined ? undefined : secretBytes(o.secret),
  };
  if ([...opts.peers.keys()].some((id) => id !== opts.id) && !opts.secret)
    throw new RaftError("INVALID_CONFIG", `node ${opts.id} has peers but no secret: give every member the same cluster secret (options.secret)`);
  // an append carries up to maxSizePerMsg of entries, and always at least one whole entry
  const needed = opts.maxSizePerMsg + opts.maxEntryBytes + 4096;
  if (opts.maxFrameBytes < needed)
    throw new RaftError("INVALID_CONFIG", `maxFrameBytes ${opts.maxFrameBytes} cannot carry an append of maxSizePerMsg + maxEntryBytes (needs ${needed})`);
  return opts;
};

const checkConfChange = (m: Message, e: Entry): void => {
  try {
    decodeConfChange(proposalPayload(e.data));
  } catch {
    throw new RaftError("INVALID_MESSAGE", `a proposal from ${m.from} carries a membership change that does not decode`);
  }
};
