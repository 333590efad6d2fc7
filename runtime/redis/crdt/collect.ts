// Garbage collection of tombstones (OR-set removes, LWW deletes). A tombstone exists so that a
// replica that still holds what it deleted, or a write or repair still carrying it, cannot bring
// it back. So it may go only once nothing can:
//
//   1. a collection pass read it on EVERY replica (not a quorum), none of them holding what it
//      deletes: from then on no read can see the deleted entry live, so no new write or repair
//      carries it; and
//   2. at least `settleMs` have passed since a pass first saw (1). Writes and repairs that carry
//      the entry were sent before that moment; `settleMs` must be longer than any of them can
//      stay in flight (a paused client or replica included) and than the clock skew between
//      the processes that collect.
//
// The first pass that sees (1) marks the tombstone on every replica (`<key>:settled`, a zset of
// ms); a later pass drops it where it is still as marked. A replica that is down stops every
// pass (it may hold the deleted entry); a pass that fails halfway leaves some replicas with the
// tombstone, which reads copy back and a later pass collects again. What is NOT safe, and the
// rule for operators: a replica must not come back from a backup (or a disk) older than its last
// collection, holding entries whose tombstones are gone; empty it instead, and reads refill it.
import type { Redis } from "ioredis";
import type { RedisHa } from "../ha/redis-ha.js";
import { evalScript } from "../key-value/scripts.js";

export interface CollectOptions {
  /** How long a tombstone must have been on every replica before it is dropped; default 1 hour. */
  readonly settleMs?: number;
}

export interface CollectReport {
  /** Tombstones seen on every replica for the first time (collected by a pass `settleMs` later). */
  readonly marked: number;
  /** Tombstones dropped from every replica. */
  readonly collected: number;
}

/** What one replica holds: its tombstone ids and its settle marks (id → ms). */
export interface ReplicaTombstones {
  readonly held: ReadonlySet<string>;
  readonly marks: ReadonlyMap<string, number>;
}

export interface TombstoneStore {
  read(client: Redis): Promise<ReplicaTombstones>;
  /** The collection script, its keys (the settle zset last) and how it reads ARGV (lua.ts). */
  readonly script: string;
  readonly keys: readonly string[];
}

export const DEFAULT_SETTLE_MS = 60 * 60 * 1_000;

/** One collection pass over every replica; rejects with QuorumError (nothing collected) when one does not answer. */
export async function collectTombstones(ha: RedisHa, store: TombstoneStore, options: CollectOptions = {}): Promise<CollectReport> {
  const settleMs = options.settleMs ?? DEFAULT_SETTLE_MS;
  if (!(settleMs >= 0)) throw new RangeError(`settleMs must be >= 0, got ${settleMs}`);
  const { acks } = await ha.read((client) => store.read(client), { quorum: ha.size });
  const replicas = acks.map((ack) => ack.value);
  const now = Date.now();
  const toMark: string[] = [];
  const due: string[] = [];
  for (const id of replicas[0]?.held ?? []) {
    if (!replicas.every((r) => r.held.has(id))) continue;
    const marks = replicas.flatMap((r) => r.marks.get(id) ?? []);
    // Any mark was made after (1) held; the latest one is the safe one to count from.
    if (marks.length === 0) toMark.push(id);
    else if (now - Math.max(...marks) >= settleMs) due.push(id);
  }
  // Marks of tombstones no replica holds any more (a later LWW write replaced one).
  const orphans = [...new Set(replicas.flatMap((r) => [...r.marks.keys()]))].filter((id) => replicas.every((r) => !r.held.has(id)));
  if (toMark.length + due.length + orphans.length > 0) {
    const args = [now, toMark.length, ...toMark, due.length, ...due, ...orphans];
    await ha.write((client) => evalScript(client, store.script, store.keys, args), { quorum: ha.size });
  }
  return { marked: toMark.length, collected: due.length };
}

/** A ZRANGE … WITHSCORES reply as id → ms. */
export function parseMarks(reply: readonly string[]): Map<string, number> {
  const marks = new Map<string, number>();
  for (let i = 0; i + 1 < reply.length; i += 2) marks.set(reply[i] as string, Number(reply[i + 1]));
  return marks;
}
