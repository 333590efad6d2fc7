// Unique values on a sharded store: a value's claim key lives where the value hashes, not with
// the record, so it is claimed in a step of its own before the record is written, and freed when
// the write fails or the record lets go of the value.
//
// A crash between the steps leaves a claim whose owner record does not hold the value (its `x`
// does not list the claim). Such a claim is stale once it is older than the grace period (longer
// than any write can take, so an unfinished write of another client is never mistaken for a
// crash) and the next writer takes it over with a compare-and-set. Claim times come from the
// writers' clocks, so the grace must also cover the clock skew between clients.
import { parseClaim } from "./keys.js";
import type { RedisTarget } from "./redis-target.js";
import { CLAIM, RELEASE } from "./scripts.js";

export interface Claimed {
  readonly key: string;
  /** The claim value written; freed on failure only when `fresh` (a refreshed claim was ours before). */
  readonly value: string;
  readonly fresh: boolean;
}

export type ClaimOutcome = { ok: true; claimed: Claimed[] } | { ok: false; taken: string; claimed: Claimed[] };

export class Claims {
  constructor(
    private readonly target: RedisTarget,
    /** How old an unheld claim must be to count as stale. */
    private readonly graceMs: number,
  ) {}

  /** Claims every key for `rec`, in parallel; on a conflict, frees what it claimed. */
  async claimAll(rec: string, keys: readonly string[]): Promise<ClaimOutcome> {
    const results = await Promise.allSettled(keys.map((key) => this.#claim(rec, key)));
    const claimed = results.flatMap((r) => (r.status === "fulfilled" && r.value.ok ? [r.value.claimed] : []));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    const taken = results.find((r) => r.status === "fulfilled" && !r.value.ok);
    if (failed === undefined && taken === undefined) return { ok: true, claimed };
    await this.free(claimed);
    if (failed !== undefined) throw failed.reason;
    return { ok: false, taken: (taken as PromiseFulfilledResult<{ ok: false; key: string }>).value.key, claimed: [] };
  }

  /** Frees fresh claims that still hold the value written (best effort: a stale claim is harmless). */
  async free(claimed: readonly Claimed[]): Promise<void> {
    await Promise.allSettled(claimed.filter((c) => c.fresh).map((c) => this.target.eval(RELEASE, [c.key], [c.value, "exact"])));
  }

  /** Frees claims a record has let go of (it no longer holds them), if it still owns them. */
  async release(rec: string, keys: readonly string[]): Promise<void> {
    await Promise.allSettled(keys.map((key) => this.target.eval(RELEASE, [key], [rec, "owner"])));
  }

  // The common case is one plain SET NX GET; scripts run only for a claim that is taken.
  async #claim(rec: string, key: string): Promise<{ ok: true; claimed: Claimed } | { ok: false; key: string }> {
    const mine = `${rec}\n${Date.now()}`;
    let current = (await this.target.call("set", key, mine, "NX", "GET")) as string | null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (current === null) return { ok: true, claimed: { key, value: mine, fresh: true } };
      const { owner, at } = parseClaim(current);
      let stale = "";
      if (owner !== rec) {
        // A claim younger than the grace may belong to a write still in flight.
        if (Date.now() - at < this.graceMs || !(await this.#isStale(key, owner))) return { ok: false, key };
        stale = current;
      }
      const [outcome, now] = (await this.target.eval(CLAIM, [key], [rec, stale, mine])) as [string, string | undefined];
      if (outcome !== "taken") return { ok: true, claimed: { key, value: mine, fresh: outcome === "new" } };
      current = now ?? null;
    }
    return { ok: false, key };
  }

  /** An aged claim is stale when its owner record does not list it among the keys it holds. */
  async #isStale(key: string, owner: string): Promise<boolean> {
    const held = (await this.target.call("hget", owner, "x")) as string | null;
    return held === null || !`\n${held}`.includes(`\nu${key}\n`);
  }
}
