import type { Redis } from "ioredis";
import type { RedisHa, QuorumOptions } from "../ha/redis-ha.js";
import { evalScript } from "../key-value/scripts.js";
import { newActor } from "./actor.js";
import { MAX_FIELDS } from "./lua.js";
import { readMerged, RepairTracker, type MergeSpec } from "./merge-on-read.js";
import {
  counterValue,
  decrementField,
  incrementField,
  mergeTotals,
  parseTotals,
  totalsBehind,
  type CounterTotals,
} from "./pn-counter-state.js";

export interface PnCounterOptions {
  /**
   * This writer's identity. Default: a fresh random one, which needs no state. Reusing an actor
   * across restarts needs `resume()` first, so its totals continue where they stopped.
   */
  actor?: string;
}

/**
 * A PN-counter on `redis_ha`. Each writer (actor) keeps its own running totals of increments
 * and decrements; a write sends the totals, which replicas keep with max(). So:
 * - an update that reached some replicas and failed the quorum is not lost: it is in the totals
 *   and goes out with the next update or `flush()` — and it is never counted twice;
 * - a replica that missed updates is repaired on read; `value()` reads exactly ΣP − ΣN once the
 *   replicas it reads from have every actor's latest totals.
 */
export class PnCounter {
  readonly actor: string;
  /** Repairs sent to lagging replicas; `await counter.repairs.idle()` waits for them. */
  readonly repairs = new RepairTracker();
  private readonly own = new Map<string, number>();
  private readonly spec: MergeSpec<CounterTotals>;

  constructor(
    private readonly ha: RedisHa,
    readonly key: string,
    options: PnCounterOptions = {},
  ) {
    this.actor = options.actor ?? newActor();
    this.spec = {
      read: async (client) => parseTotals((await client.hgetall(key)) as Record<string, string>),
      merge: mergeTotals,
      repair: (client, state, merged) => {
        const behind = totalsBehind(state, merged);
        return behind.size === 0 ? undefined : this.send(client, behind);
      },
    };
  }

  /** Adds `by` (a positive integer). On QuorumError the amount is kept and sent again with the next write. */
  increment(by = 1, options?: QuorumOptions): Promise<void> {
    return this.add(incrementField(this.actor), by, options);
  }

  /** Subtracts `by` (a positive integer); same delivery rule as `increment`. */
  decrement(by = 1, options?: QuorumOptions): Promise<void> {
    return this.add(decrementField(this.actor), by, options);
  }

  /** Re-sends this actor's totals: the idempotent retry after a QuorumError. */
  async flush(options?: QuorumOptions): Promise<void> {
    if (this.own.size === 0) return;
    await this.ha.write((client) => this.send(client, this.own), options);
  }

  /** ΣP − ΣN over the merged totals of a read quorum; lagging replicas are repaired. */
  async value(options: QuorumOptions = {}): Promise<number> {
    return counterValue(await this.totals(options));
  }

  /** The merged per-actor totals (`p:<actor>` / `n:<actor>`). */
  totals(options: QuorumOptions = {}): Promise<CounterTotals> {
    return readMerged(this.ha, this.spec, new Map(), this.repairs, options.quorum);
  }

  /** Loads this actor's totals from the replicas, for an actor reused across restarts. */
  async resume(options: QuorumOptions = {}): Promise<void> {
    const merged = await this.totals(options);
    for (const field of [incrementField(this.actor), decrementField(this.actor)]) {
      const total = merged.get(field);
      if (total !== undefined && total > (this.own.get(field) ?? 0)) this.own.set(field, total);
    }
  }

  private async add(field: string, by: number, options?: QuorumOptions): Promise<void> {
    if (!Number.isSafeInteger(by) || by <= 0) throw new RangeError(`counter step must be a positive integer, got ${by}`);
    this.own.set(field, (this.own.get(field) ?? 0) + by);
    // Send both totals: a write that failed earlier on the other side rides along.
    await this.ha.write((client) => this.send(client, this.own), options);
  }

  private send(client: Redis, totals: CounterTotals): Promise<unknown> {
    return evalScript(client, MAX_FIELDS, [this.key], [...totals].flat());
  }
}
