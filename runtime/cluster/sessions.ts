// Client sessions (Raft thesis §6.3): a replica set remembers the result of each client's recent
// calls, so a call retried after its outcome was lost (leader killed, connection dropped) is
// answered from memory instead of run twice. Unlike the thesis's one-request sessions, a client
// may have many calls in flight: the last SESSION_WINDOW results of each session are kept.
// Everything here is decided by log entries only (their order and their leader-stamped time),
// so every replica keeps the same sessions, and snapshots carry them.
import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

/** Results remembered per session; an older seq is refused as outside the window. */
export const SESSION_WINDOW = 1024;
/** A session unused for this long (by entry time) is forgotten. */
export const SESSION_TTL_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

export interface StoredResult {
  readonly ok: boolean;
  /** The encoded output, or the encoded rony.RpcError. */
  readonly bytes: Uint8Array;
  /** The slot of a sharded call: the result moves with its slot (docs/cluster.md); -1 for others. */
  readonly slot: number;
}

/** A remembered result of one session, as a slot move carries it. */
export interface SessionResult {
  readonly client: string;
  readonly seq: number;
  readonly result: StoredResult;
  /** The session's last use, entry time. */
  readonly lastMs: number;
}

interface Session {
  lastMs: number;
  /** Seqs at or below it that are not in `results` were forgotten. */
  floor: number;
  readonly results: Map<number, StoredResult>;
}

export class Sessions {
  readonly #sessions = new Map<string, Session>();
  #nextSweepMs = 0;

  get size(): number {
    return this.#sessions.size;
  }

  /** The remembered result, "forgotten" when the seq left the window, undefined for a new call. */
  lookup(client: string, seq: number): StoredResult | "forgotten" | undefined {
    const session = this.#sessions.get(client);
    if (session === undefined) return undefined;
    const found = session.results.get(seq);
    if (found !== undefined) return found;
    return seq <= session.floor ? "forgotten" : undefined;
  }

  remember(client: string, seq: number, result: StoredResult, nowMs: number): void {
    let session = this.#sessions.get(client);
    if (session === undefined) this.#sessions.set(client, (session = { lastMs: nowMs, floor: 0, results: new Map() }));
    session.lastMs = Math.max(session.lastMs, nowMs);
    session.results.set(seq, result);
    if (session.results.size > SESSION_WINDOW) {
      const [oldest] = session.results.keys() as IterableIterator<number>;
      session.results.delete(oldest!);
      session.floor = Math.max(session.floor, oldest!);
    }
  }

  /**
   * Forgets sessions idle for SESSION_TTL_MS, checked once a minute of entry time; not those with
   * a result in a slot `pinned` accepts (one being moved: its export must not shift under it).
   */
  expire(nowMs: number, pinned: (slot: number) => boolean): void {
    if (nowMs < this.#nextSweepMs) return;
    this.#nextSweepMs = nowMs + SWEEP_EVERY_MS;
    for (const [client, session] of this.#sessions) {
      if (session.lastMs >= nowMs - SESSION_TTL_MS) continue;
      if ([...session.results.values()].some((r) => r.slot >= 0 && pinned(r.slot))) continue;
      this.#sessions.delete(client);
    }
  }

  /** The results of calls in the slots `inSlots` accepts, oldest first per session. */
  *inSlots(inSlots: (slot: number) => boolean): IterableIterator<SessionResult> {
    for (const [client, session] of this.#sessions) {
      for (const [seq, result] of session.results) if (result.slot >= 0 && inSlots(result.slot)) yield { client, seq, result, lastMs: session.lastMs };
    }
  }

  /** Forgets the results of calls in the slots `inSlots` accepts (their slots left this replica set). */
  dropSlots(inSlots: (slot: number) => boolean): void {
    for (const [client, session] of this.#sessions) {
      for (const [seq, result] of session.results) if (result.slot >= 0 && inSlots(result.slot)) session.results.delete(seq);
      if (session.results.size === 0 && session.floor === 0) this.#sessions.delete(client);
    }
  }

  encode(w: BinaryWriter): void {
    w.double(this.#nextSweepMs).uint32(this.#sessions.size);
    for (const [client, s] of this.#sessions) {
      w.string(client).double(s.lastMs).double(s.floor).uint32(s.results.size);
      for (const [seq, r] of s.results) w.double(seq).bool(r.ok).bytes(r.bytes).int32(r.slot);
    }
  }

  /** `withSlots`: the encoding tags each result with its slot (replica snapshots from format 2 on). */
  restore(r: BinaryReader, withSlots = true): void {
    this.#sessions.clear();
    this.#nextSweepMs = r.double();
    for (let n = r.uint32(); n > 0; n--) {
      const client = r.string();
      const session: Session = { lastMs: r.double(), floor: r.double(), results: new Map() };
      for (let m = r.uint32(); m > 0; m--) {
        const seq = r.double();
        session.results.set(seq, { ok: r.bool(), bytes: r.bytes(), slot: withSlots ? r.int32() : -1 });
      }
      this.#sessions.set(client, session);
    }
  }
}
