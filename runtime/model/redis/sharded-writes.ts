// Writes when keys of different tags may live on different nodes (redis_sharded, redis_cluster,
// or any KeyValueConnection): unique values are claimed first where they hash, then one script
// on the record's node writes the record with every key of its tag, all declared in KEYS.
// Directories of non-unique values are added before the record, so a finder may visit a shard
// with no match but never misses one. See claims.ts for what a crash between the steps leaves.
import { RedisRuntimeError } from "../../redis/errors.js";
import { alreadyExists, internal } from "../errors.js";
import type { KeyValue } from "../values.js";
import { Claims, type Claimed, type Dropped } from "./claims.js";
import type { RedisEntry as Entry } from "../descriptor.js";
import type { ModelLayout } from "./layout.js";
import type { RedisTarget } from "./redis-target.js";
import { DELETE, RECORD_INSERT_MANY, RECORD_WRITE } from "./scripts.js";
import { writeFailed, type Mode, type Writes } from "./writes.js";

/** A record's `x` changes between our tries only under concurrent writes to it; give up after this many. */
const TRIES = 4;

export class ShardedWrites<T> implements Writes {
  readonly #claims: Claims;

  constructor(
    private readonly layout: ModelLayout<T>,
    private readonly target: RedisTarget,
    claimGraceMs: number,
  ) {
    this.#claims = new Claims(target, claimGraceMs);
  }

  write(mode: Mode, e: Entry): Promise<void> {
    return this.#write(mode, e).catch((error: unknown) => {
      throw this.target.fail(error, this.layout.model.name);
    });
  }

  async #write(mode: Mode, e: Entry): Promise<void> {
    const claimed = await this.#prepare([e]);
    const tokens = tokensOf(claimed);
    const zsets = this.layout.zsetsOf(e);
    let old = "";
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const stale = zsetsOf(old).filter((z) => !zsets.includes(z));
      const reply = (await this.#unlessFailed(claimed, () =>
        this.target.eval(RECORD_WRITE, [e.rec, e.part, ...zsets, ...stale], [mode, e.body, e.member, e.held, zsets.length, tokens]))) as string[];
      if (reply[0] === "retry") {
        old = reply[1] ?? "";
        continue;
      }
      if (reply[0] === "ok") return this.#claims.release(e.rec, droppedOf(reply));
      await this.#claims.free(claimed);
      throw writeFailed(this.layout.model.name, reply[0] ?? "", "primary key");
    }
    await this.#claims.free(claimed);
    throw internal(this.layout.model.name, `record ${e.rec} kept changing under the write; try again`);
  }

  async insertMany(entries: readonly Entry[]): Promise<void> {
    const seen = new Set<string>();
    for (const e of entries) {
      for (const key of [e.rec, ...this.layout.claimsOf(e)]) {
        if (seen.has(key)) throw alreadyExists(this.layout.model.name, key === e.rec ? "primary key" : `unique index value (${key})`);
        seen.add(key);
      }
    }
    const claimed = await this.#prepare(entries);
    // #prepare claims entry by entry, each entry's keys in order.
    const tokens = new Map(entries.map((e, i) => [e, tokensOf(claimed.slice(i * this.layout.claims, (i + 1) * this.layout.claims))]));
    const byTag = new Map<string, Entry[]>();
    for (const e of entries) byTag.set(e.tag, [...(byTag.get(e.tag) ?? []), e]);
    const groups = [...byTag.values()];
    // One script per tag, all tags at once; a tag that refuses undoes the tags that wrote.
    const results = await Promise.allSettled(groups.map((group) => {
      const keys = group.flatMap((e) => [e.rec, e.part, ...this.layout.zsetsOf(e)]);
      const args = group.flatMap((e) => [this.layout.zsets, e.body, e.member, e.held, tokens.get(e) ?? ""]);
      return this.target.eval(RECORD_INSERT_MANY, keys, args);
    }));
    if (results.every((r) => r.status === "fulfilled" && r.value === "ok")) return;
    const written = groups.filter((_, i) => results[i]?.status === "fulfilled" && (results[i] as PromiseFulfilledResult<unknown>).value === "ok");
    await Promise.allSettled(written.flat().map((e) => this.target.eval(DELETE, [e.rec, e.part, ...this.layout.zsetsOf(e)], [e.member, ""])));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed !== undefined && uncertain(failed.reason)) throw failed.reason;
    await this.#claims.free(claimed);
    if (failed !== undefined) throw failed.reason;
    throw alreadyExists(this.layout.model.name, "primary key");
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const { rec, part, member } = this.layout.locate(key);
    let zsets: string[] = [];
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const reply = (await this.target.eval(DELETE, [rec, part, ...zsets], [member, ""])) as string[];
      if (reply[0] === "none") return false;
      if (reply[0] === "retry") {
        zsets = zsetsOf(reply[1] ?? "");
        continue;
      }
      await this.#claims.release(rec, droppedOf(reply));
      return true;
    }
    throw internal(this.layout.model.name, `record ${rec} kept changing under the delete; try again`);
  }

  /** Claims every unique value and adds every directory entry; ALREADY_EXISTS (nothing kept) on a conflict. */
  async #prepare(entries: readonly Entry[]): Promise<Claimed[]> {
    const dirs = entries.flatMap((e) => this.layout.dirsOf(e).map((d) => ({ args: ["sadd", d, e.tag] as [string, string, string] })));
    // Settled into "the first error or null" at once: it must never be a rejection nobody awaits yet.
    const adding: Promise<unknown> = (dirs.length === 0
      ? Promise.resolve([])
      : dirs.length === 1
        ? this.target.call(...(dirs[0] as { args: [string, string, string] }).args).then((reply): [Error | null, unknown][] => [[null, reply]])
        : this.target.batch(dirs)
    ).then((replies) => replies.find(([error]) => error !== null)?.[0] ?? null, (error: unknown) => error);
    const outcomes = await Promise.allSettled(entries.map((e) => (this.layout.claims === 0 ? { ok: true as const, claimed: [] } : this.#claims.claimAll(e.rec, this.layout.claimsOf(e)))));
    const claimed = outcomes.flatMap((o) => (o.status === "fulfilled" && o.value.ok ? o.value.claimed : []));
    const added = await adding;
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    const taken = outcomes.find((o) => o.status === "fulfilled" && !o.value.ok);
    if (failed === undefined && taken === undefined && added === null) return claimed;
    await this.#claims.free(claimed);
    if (failed !== undefined) throw failed.reason;
    if (added !== null) throw added;
    const key = (taken as PromiseFulfilledResult<{ ok: false; taken: string }>).value.taken;
    throw alreadyExists(this.layout.model.name, `unique index value (${key})`);
  }

  /** Runs a step; when it fails for sure (not a lost reply), frees the claims first. */
  async #unlessFailed(claimed: readonly Claimed[], step: () => Promise<unknown>): Promise<unknown> {
    try {
      return await step();
    } catch (error) {
      if (!uncertain(error)) await this.#claims.free(claimed);
      throw error;
    }
  }
}

/** The record's `t` field: the tokens of its claims, one per line, in the order of its claim keys. */
function tokensOf(claimed: readonly Claimed[]): string {
  let t = "";
  for (const c of claimed) t += `${c.token}\n`;
  return t;
}

/** The key, token pairs after "ok" in a script's reply. */
function droppedOf(reply: readonly string[]): Dropped[] {
  const dropped: Dropped[] = [];
  for (let i = 1; i + 1 < reply.length; i += 2) dropped.push({ key: reply[i] as string, token: reply[i + 1] as string });
  return dropped;
}

/** The `i` lines of an `x` list: the zsets a record holds. */
function zsetsOf(x: string): string[] {
  return x.split("\n").filter((line) => line.startsWith("i")).map((line) => line.slice(1));
}

// A call that failed for want of the server may still have run: its claims are left to turn stale.
function uncertain(error: unknown): boolean {
  return error instanceof RedisRuntimeError && error.code === "CONNECTION_FAILED";
}
