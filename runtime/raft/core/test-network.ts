// Helpers for core tests, in the manner of etcd's raft_test.go: rafts wired by an in-memory
// network that can drop, cut and isolate, stepping until no message is left.
import type { RaftConfig } from "./config.js";
import { Raft } from "./raft.js";
import { seededRandom } from "./random.js";
import { MemoryStorage } from "./storage.js";
import type { Entry, Message, MessageType } from "./types.js";
import { EntryType, MessageType as MT, msg } from "./types.js";

export const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);

export const newTestRaft = (
  id: number,
  peers: number[],
  election = 10,
  heartbeat = 1,
  extra: Partial<RaftConfig> & { storage?: MemoryStorage } = {},
): Raft =>
  new Raft({
    id,
    electionTick: election,
    heartbeatTick: heartbeat,
    storage: extra.storage ?? MemoryStorage.withVoters(peers),
    maxInflightMsgs: 256,
    random: seededRandom(id * 1000 + 7),
    ...extra,
  });

/** Storage holding entries with the given terms at indexes 1, 2, … */
export const storageWithTerms = (peers: number[], terms: number[]): MemoryStorage => {
  const s = MemoryStorage.withVoters(peers);
  s.append(terms.map((term, i) => ({ term, index: i + 1, type: EntryType.Normal, data: new Uint8Array(0) })));
  return s;
};

export const readMessages = (r: Raft): Message[] => {
  const m = r.msgs;
  r.msgs = [];
  return m;
};

export const entry = (term: number, index: number, data = ""): Entry => ({
  term,
  index,
  type: EntryType.Normal,
  data: new TextEncoder().encode(data),
});

export const propose = (data: string): Message =>
  msg({ type: MT.Prop, entries: [{ term: 0, index: 0, type: EntryType.Normal, data: new TextEncoder().encode(data) }] });

/** Persists a raft's unstable entries and marks every committed entry applied; returns those entries. */
export const persistAndApply = (r: Raft, s: MemoryStorage): Entry[] => {
  const unstable = r.raftLog.unstableEntries();
  if (r.raftLog.unstable.snapshot) {
    s.applySnapshot(r.raftLog.unstable.snapshot);
    r.raftLog.stableSnapTo(r.raftLog.unstable.snapshot.meta.index);
  }
  s.append(unstable);
  if (unstable.length > 0) r.raftLog.stableTo(unstable[unstable.length - 1]!.index, unstable[unstable.length - 1]!.term);
  const ents = r.raftLog.nextCommittedEnts();
  if (ents.length > 0) r.raftLog.appliedTo(ents[ents.length - 1]!.index);
  return ents;
};

export class Network {
  readonly peers = new Map<number, Raft>();
  private readonly cut = new Set<string>();
  private readonly ignored = new Set<MessageType>();
  /** Delivered messages, for assertions. */
  readonly delivered: Message[] = [];

  /** undefined slots become fresh rafts with ids 1..n, all peers of each other. */
  constructor(...rafts: (Raft | undefined)[]) {
    const peers = ids(rafts.length);
    rafts.forEach((r, i) => this.peers.set(i + 1, r ?? newTestRaft(i + 1, peers)));
  }

  send(...msgs: Message[]): void {
    const queue = [...msgs];
    let steps = 0;
    while (queue.length > 0) {
      if (++steps > 100_000) throw new Error("network did not quiesce");
      const m = queue.shift()!;
      const p = this.peers.get(m.to);
      if (!p) continue;
      this.delivered.push(m);
      p.step(m);
      queue.push(...this.filter(readMessages(p)));
    }
  }

  private filter(ms: Message[]): Message[] {
    return ms.filter((m) => !this.ignored.has(m.type) && !this.cut.has(`${m.from}>${m.to}`));
  }

  /** Elects `id` through a local Hup. */
  campaign(id: number): void {
    this.send(msg({ type: MT.Hup, from: id, to: id }));
  }

  propose(id: number, data: string): void {
    this.send({ ...propose(data), from: id, to: id });
  }

  drop(a: number, b: number): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  isolate(id: number): void {
    for (const other of this.peers.keys()) if (other !== id) this.drop(id, other);
  }

  ignore(t: MessageType): void {
    this.ignored.add(t);
  }

  recover(): void {
    this.cut.clear();
    this.ignored.clear();
  }

  get(id: number): Raft {
    return this.peers.get(id)!;
  }
}
