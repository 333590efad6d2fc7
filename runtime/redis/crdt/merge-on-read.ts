import type { Redis } from "ioredis";
import type { RedisHa } from "../ha/redis-ha.js";
import type { Ack } from "../ha/fan-out.js";

export interface MergeSpec<S> {
  /** One replica's state. */
  read(client: Redis): Promise<S>;
  merge(a: S, b: S): S;
  /** Sends a replica holding `state` what it lacks from `merged`; undefined when nothing is missing. */
  repair(client: Redis, state: S, merged: S): Promise<unknown> | undefined;
}

/** Repairs still running, so tests and shutdown can wait for them. */
export class RepairTracker {
  private readonly running = new Set<Promise<unknown>>();
  repairsSent = 0;

  track(work: Promise<unknown>): void {
    const done = work.catch(() => undefined).finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** Resolves when every repair started so far has finished (or failed — it is retried on the next read). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}

/**
 * Reads a CRDT from a read quorum, merges the answers, and repairs every replica that answered
 * with less — including those whose answers come after the quorum was reached.
 */
export async function readMerged<S>(ha: RedisHa, spec: MergeSpec<S>, empty: S, repairs: RepairTracker, quorum?: number): Promise<S> {
  // Filled in once the quorum answered; answers arriving before that wait in `early`.
  const result: { merged?: S } = {};
  const early: Ack<S>[] = [];
  const sent: Promise<unknown>[] = [];
  const repairOne = (ack: Ack<S>) => {
    const work = spec.repair(ha.client(ack.replica), ack.value, result.merged!);
    if (work) {
      repairs.repairsSent++;
      sent.push(work);
    }
  };
  const { acks, settled } = await ha.read(spec.read, {
    quorum,
    onLate: (ack) => (result.merged === undefined ? early.push(ack) : repairOne(ack)),
  });
  const merged = acks.reduce((m, ack) => spec.merge(m, ack.value), empty);
  result.merged = merged;
  for (const ack of [...acks, ...early]) repairOne(ack);
  repairs.track(settled.then(() => Promise.allSettled(sent)));
  return merged;
}
