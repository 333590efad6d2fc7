import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { QuorumOptions, RedisHa } from "../ha/redis-ha.js";
import { evalScript } from "../key-value/scripts.js";
import { collectTombstones, parseMarks, type CollectOptions, type CollectReport, type TombstoneStore } from "./collect.js";
import { OR_SET_APPLY, OR_SET_COLLECT, OR_SET_READ, OR_SET_TOMBSTONES } from "./lua.js";
import { readMerged, RepairTracker, type MergeSpec } from "./merge-on-read.js";
import { elementsOf, entriesOf, entryOf, mergeOrSets, orSetBehind, TAG_LENGTH, type OrSetState } from "./or-set-state.js";

const EMPTY: OrSetState = { adds: new Set(), removed: new Set() };

/**
 * An add-wins observed-remove set on `redis_ha`, stored per replica as two Redis sets
 * (`<key>:adds`, `<key>:removed`). `remove` tombstones only the adds it observed, so a
 * concurrent add survives; a replica that missed a remove learns the tombstone on the next
 * read that includes it and can never resurrect the element. With W + R > N every read sees
 * every acknowledged remove. `collect()` drops tombstones once they are safe to drop (collect.ts).
 */
export class OrSet {
  readonly repairs = new RepairTracker();
  private readonly keys: [string, string];
  private readonly spec: MergeSpec<OrSetState>;
  private readonly tombstones: TombstoneStore;

  constructor(
    private readonly ha: RedisHa,
    readonly key: string,
  ) {
    this.keys = [`${key}:adds`, `${key}:removed`];
    const marks = [`${key}:removed`, `${key}:settled`];
    this.tombstones = {
      read: async (client) => {
        const [removed, settled] = (await evalScript(client, OR_SET_TOMBSTONES, marks, [])) as [string[], string[]];
        return { held: new Set(removed), marks: parseMarks(settled) };
      },
      script: OR_SET_COLLECT,
      keys: marks,
    };
    this.spec = {
      read: async (client) => {
        const [adds, removed] = (await evalScript(client, OR_SET_READ, this.keys, [])) as [string[], string[]];
        return { adds: new Set(adds), removed: new Set(removed) };
      },
      merge: mergeOrSets,
      repair: (client, state, merged) => {
        const behind = orSetBehind(state, merged);
        return behind.adds.length + behind.removed.length === 0 ? undefined : this.apply(client, behind.adds, behind.removed);
      },
    };
  }

  /**
   * One garbage-collection pass over every replica: marks the tombstones all of them hold, and
   * drops those marked at least `settleMs` (default 1 hour) ago. Run it now and then (a timer, a
   * cron job), from any process; while a replica is down it rejects with QuorumError.
   */
  collect(options?: CollectOptions): Promise<CollectReport> {
    return collectTombstones(this.ha, this.tombstones, options);
  }

  /** Adds `element` under a fresh tag. A retried add only adds another tag of the same element. */
  async add(element: string, options?: QuorumOptions): Promise<void> {
    const entry = entryOf(randomBytes(TAG_LENGTH / 2).toString("hex"), element);
    await this.ha.write((client) => this.apply(client, [entry], []), options);
  }

  /** Removes `element` as observed by a read quorum; an add not yet seen by it wins. */
  async remove(element: string, options?: QuorumOptions): Promise<void> {
    const observed = entriesOf(await this.state(), element);
    if (observed.length === 0) return;
    await this.ha.write((client) => this.apply(client, [], observed), options);
  }

  async members(options: QuorumOptions = {}): Promise<string[]> {
    return elementsOf(await this.state(options));
  }

  async has(element: string, options: QuorumOptions = {}): Promise<boolean> {
    return (await this.members(options)).includes(element);
  }

  /** The merged adds and tombstones of a read quorum. */
  state(options: QuorumOptions = {}): Promise<OrSetState> {
    return readMerged(this.ha, this.spec, EMPTY, this.repairs, options.quorum);
  }

  private apply(client: Redis, adds: readonly string[], removed: readonly string[]): Promise<unknown> {
    return evalScript(client, OR_SET_APPLY, this.keys, [adds.length, ...adds, ...removed]);
  }
}
