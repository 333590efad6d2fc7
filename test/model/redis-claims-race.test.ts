// Concurrent saves (and deletes) that move unique values between records, on real shards and a real cluster:
// after every round of concurrent saves, each record's unique value is claimed by that record
// (its finder returns it), so no other record can take it, and no two records hold one value.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountRepository } from "../../generated/examples/accounts.models.js";
import type { Account } from "../../generated/examples/accounts.js";
import { ErrorCode, RonyError } from "../../runtime/index.js";
import type { ClusterRedis, ShardedRedis } from "../../runtime/redis/index.js";
import { openCluster, openSharded, type OpenFleetBackend } from "./support/backends.js";
import { account } from "./support/records.js";

const kinds: [string, () => Promise<OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>>][] = [
  ["redis_sharded", () => openSharded(3)],
  ["redis_cluster", () => openCluster()],
];

/** A round: writes that run at once, each setting a record's email to one of a few values (a save) or deleting it. */
const write = fc.record({ record: fc.nat(2), email: fc.nat(3), del: fc.nat(4).map((n) => n === 0) } as const);
const rounds = fc.array(fc.array(write, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 6 });

describe.each(kinds)("unique values under concurrent saves on %s", (_kind, open) => {
  let opened: OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>;
  let accounts: AccountRepository;
  let run = 0;

  beforeAll(async () => {
    opened = await open();
    accounts = new AccountRepository(opened.store);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it("never leaves a record holding a value it has no claim on, nor two records one value", async () => {
    let conflicts = 0;
    await fc.assert(
      fc.asyncProperty(rounds, async (plan) => {
        const r = run++;
        const email = (n: number) => `r${r}-v${n}@x`;
        // Three records in different tenants (so on different nodes), holding v0, v1, v2.
        const records: Account[] = [];
        for (let i = 0; i < 3; i++) records.push(await accounts.insert(account({ tenant: `race-${r}-${i}`, id: 1n, email: email(i) })));
        for (const round of plan) {
          const saves = round.map(({ record, email: n, del }) => (del ? accounts.delete(records[record] as Account) : accounts.save({ ...(records[record] as Account), email: email(n) })));
          for (const outcome of await Promise.allSettled(saves)) {
            if (outcome.status === "fulfilled") continue;
            expect(RonyError.is(outcome.reason, ErrorCode.ALREADY_EXISTS), String(outcome.reason)).toBe(true);
            conflicts++;
          }
          const stored = (await accounts.getMany(records)).filter((a): a is Account => a !== null);
          const held = stored.map((a) => a.email);
          expect(new Set(held).size, `two records hold one value: ${held.join(", ")}`).toBe(held.length);
          for (const a of stored) expect((await accounts.findByEmail(a.email))?.tenant, `${a.tenant} holds ${a.email} without its claim`).toBe(a.tenant);
          // A fourth record can take none of the held values.
          if (held.length === 0) continue;
          const intruder = accounts.insert(account({ tenant: `race-${r}-intruder`, id: 1n, email: held[0] as string }));
          await expect(intruder).rejects.toSatisfy((e: unknown) => RonyError.is(e, ErrorCode.ALREADY_EXISTS));
        }
      }),
      { numRuns: 25 },
    );
    // The rounds did race for values: some saves were refused.
    expect(conflicts).toBeGreaterThan(0);
  });
});
