import type { Redis } from "ioredis";
import type { QuorumOptions, RedisHa } from "../ha/redis-ha.js";
import { evalScript } from "../key-value/scripts.js";
import { newActor } from "./actor.js";
import { HybridLogicalClock, STAMP_LENGTH } from "./hlc.js";
import { collectTombstones, parseMarks, type CollectOptions, type CollectReport, type TombstoneStore } from "./collect.js";
import { LATER_FIELDS, LWW_TOMBSTONES, lwwCollect } from "./lua.js";
import { readMerged, RepairTracker, type MergeSpec } from "./merge-on-read.js";
import { encodeDelete, encodeSet, lwwBehind, lwwEntries, mergeLww, parseLww, stampOf, valueOf, type LwwState } from "./lww-map-state.js";

/** A delete entry: its stamp and the flag `d`. */
const TOMBSTONE_LENGTH = STAMP_LENGTH + 1;
const LWW_COLLECT = lwwCollect(TOMBSTONE_LENGTH);

export interface LwwMapOptions {
  /** 8 hex digits naming this writer in its stamps; default random. */
  actor?: string;
  /** Wall clock for the HLC (tests inject one). */
  clock?: () => number;
}

/**
 * A last-writer-wins map on `redis_ha`, one Redis hash per replica whose fields hold
 * `<hlc stamp><s|d><value>`. Writes keep the later stamp per field (server-side), deletes are
 * tombstones, reads merge per field and repair lagging replicas. Reads advance this writer's
 * clock past every stamp seen, so read-then-write is ordered even against a faster clock.
 */
export class LwwMap {
  readonly repairs = new RepairTracker();
  readonly clock: HybridLogicalClock;
  private readonly spec: MergeSpec<LwwState>;
  private readonly tombstones: TombstoneStore;

  constructor(
    private readonly ha: RedisHa,
    readonly key: string,
    options: LwwMapOptions = {},
  ) {
    this.clock = new HybridLogicalClock(options.actor ?? newActor(), options.clock);
    this.spec = {
      read: async (client) => parseLww((await client.hgetall(key)) as Record<string, string>),
      merge: mergeLww,
      repair: (client, state, merged) => {
        const behind = lwwBehind(state, merged);
        return behind.size === 0 ? undefined : this.send(client, behind);
      },
    };
    const keys = [key, `${key}:settled`];
    this.tombstones = {
      // A tombstone's id is its entry followed by its field: the same delete of the same field.
      read: async (client) => {
        const [hash, settled] = (await evalScript(client, LWW_TOMBSTONES, keys, [])) as [string[], string[]];
        const held = new Set<string>();
        for (let i = 0; i + 1 < hash.length; i += 2) {
          const entry = hash[i + 1] as string;
          if (entry.length === TOMBSTONE_LENGTH && entry.charAt(STAMP_LENGTH) === "d") held.add(entry + (hash[i] as string));
        }
        return { held, marks: parseMarks(settled) };
      },
      script: LWW_COLLECT,
      keys,
    };
  }

  /**
   * One garbage-collection pass over every replica: marks the delete tombstones all of them
   * hold, and drops those marked at least `settleMs` (default 1 hour) ago; a field set again
   * meanwhile keeps its new value. Run it now and then, from any process; while a replica is
   * down it rejects with QuorumError. collect.ts has the rule.
   */
  collect(options?: CollectOptions): Promise<CollectReport> {
    return collectTombstones(this.ha, this.tombstones, options);
  }

  async set(field: string, value: string, options?: QuorumOptions): Promise<void> {
    const entries = new Map([[field, encodeSet(this.clock.now(), value)]]);
    await this.ha.write((client) => this.send(client, entries), options);
  }

  /** Sets several fields under one stamp in one script per replica (a record's columns). */
  async setAll(fields: Readonly<Record<string, string>>, options?: QuorumOptions): Promise<void> {
    const stamp = this.clock.now();
    const entries = new Map(Object.entries(fields).map(([field, value]) => [field, encodeSet(stamp, value)]));
    if (entries.size > 0) await this.ha.write((client) => this.send(client, entries), options);
  }

  /** Tombstones every field a read quorum sees (deleting a whole record). */
  async clear(options?: QuorumOptions): Promise<void> {
    const live = Object.keys(lwwEntries(await this.state()));
    if (live.length === 0) return;
    const stamp = this.clock.now();
    const entries = new Map(live.map((field) => [field, encodeDelete(stamp)]));
    await this.ha.write((client) => this.send(client, entries), options);
  }

  async delete(field: string, options?: QuorumOptions): Promise<void> {
    const entries = new Map([[field, encodeDelete(this.clock.now())]]);
    await this.ha.write((client) => this.send(client, entries), options);
  }

  async get(field: string, options: QuorumOptions = {}): Promise<string | undefined> {
    const entry = (await this.state(options)).get(field);
    return entry === undefined ? undefined : valueOf(entry);
  }

  /** Every live field and its value, sorted by field. */
  async entries(options: QuorumOptions = {}): Promise<Record<string, string>> {
    return lwwEntries(await this.state(options));
  }

  /** The merged raw entries (tombstones included). */
  async state(options: QuorumOptions = {}): Promise<LwwState> {
    const merged = await readMerged(this.ha, this.spec, new Map(), this.repairs, options.quorum);
    for (const entry of merged.values()) this.clock.observe(stampOf(entry));
    return merged;
  }

  private send(client: Redis, entries: ReadonlyMap<string, string>): Promise<unknown> {
    return evalScript(client, LATER_FIELDS, [this.key], [...entries].flat());
  }
}
