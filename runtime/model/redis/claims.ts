// Unique values on a sharded store: a value's claim key lives where the value hashes, not with
// the record, so it is claimed in a step of its own before the record is written, and freed when
// the write fails or the record lets go of the value.
//
// A crash between the steps leaves a claim whose owner record does not hold the value (its `x`
// does not list the claim). Such a claim is stale once it is older than the grace period (longer
// than any write can take, so an unfinished write of another client is never mistaken for a
// crash) and the next writer takes it over with a compare-and-set. Claim times come from the
// writers' clocks, so the grace must also cover the clock skew between clients.
//
// Freeing a claim a record let go of races with another write of the same record that takes
// the value back: save A moves the record from v to w, save B moves it back to v. B refreshes
// v's claim (it is the record's own) before A frees it, B writes the record after A does, and A,
// freeing "v's claim if the record owns it", would delete the claim B's record now relies on.
// So every claiming write puts a token of its own in the claim ("<record>\n<ms>.<nonce>") and
// the record stores the tokens of the claims it holds (its `t` field, written with the record).
// The rule: a write frees a claim only by the token its record held it by, read in the same
// script that wrote the record without it. A later write of the record that takes the value
// again has replaced that token before its own record write, so the free fails, whichever order
// the steps of the two writes run in; a free that fails leaves at worst a claim its record no
// longer holds, which turns stale (below) — a value blocked for the grace, never one lost.
import { randomBytes } from "node:crypto";
import { parseClaim } from "./keys.js";
import type { RedisTarget } from "./redis-target.js";
import { CLAIM, RELEASE } from "./scripts.js";

export interface Claimed {
  readonly key: string;
  /** The claim value written: "<record>\n<token>". */
  readonly value: string;
  /** The token, which the record stores once written. */
  readonly token: string;
  /** On failure a new claim is deleted; a refreshed one gets back the value it replaced. */
  readonly replaced: string | null;
}

/** A key the record let go of, with the token it held it by ("" for a record written before tokens). */
export interface Dropped {
  readonly key: string;
  readonly token: string;
}

// Unique per claiming write: two writes of one record in the same ms, in any processes, differ.
const PROCESS = randomBytes(4).toString("hex");
let serial = 0;

function newToken(): string {
  serial = (serial + 1) % Number.MAX_SAFE_INTEGER;
  return `${Date.now()}.${PROCESS}${serial.toString(36)}`;
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

  /** Undoes claims of a write that failed, each only if still as written (best effort: a stale claim is harmless). */
  async free(claimed: readonly Claimed[]): Promise<void> {
    await Promise.allSettled(claimed.map((c) => this.target.eval(RELEASE, [c.key], [c.value, c.replaced ?? ""])));
  }

  /** Frees the claims a record let go of, each only if it still carries the token the record held it by. */
  async release(rec: string, dropped: readonly Dropped[]): Promise<void> {
    await Promise.allSettled(dropped.map((d) => this.target.eval(RELEASE, [d.key], [d.token === "" ? rec : `${rec}\n${d.token}`, ""])));
  }

  // The common case is one plain SET NX GET; scripts run only for a claim that is taken.
  async #claim(rec: string, key: string): Promise<{ ok: true; claimed: Claimed } | { ok: false; key: string }> {
    const token = newToken();
    const mine = `${rec}\n${token}`;
    let current = (await this.target.call("set", key, mine, "NX", "GET")) as string | null;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (current === null) return { ok: true, claimed: { key, value: mine, token, replaced: null } };
      const { owner, at } = parseClaim(current);
      let stale = "";
      if (owner !== rec) {
        // A claim younger than the grace may belong to a write still in flight.
        if (Date.now() - at < this.graceMs || !(await this.#isStale(key, owner))) return { ok: false, key };
        stale = current;
      }
      const [outcome, found] = (await this.target.eval(CLAIM, [key], [rec, stale, mine])) as [string, string | undefined];
      if (outcome !== "taken") return { ok: true, claimed: { key, value: mine, token, replaced: outcome === "new" ? null : (found ?? null) } };
      current = found ?? null;
    }
    return { ok: false, key };
  }

  /** An aged claim is stale when its owner record does not list it among the keys it holds. */
  async #isStale(key: string, owner: string): Promise<boolean> {
    const held = (await this.target.call("hget", owner, "x")) as string | null;
    return held === null || !`\n${held}`.includes(`\nu${key}\n`);
  }
}
