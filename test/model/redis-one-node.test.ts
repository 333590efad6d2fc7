// The one-server insert script (runtime/model/redis/scripts.ts oneNodeInsert) on the paths the
// shared suite does not reach: claims left without their record (by a KeyValueStore writer that
// crashed between its steps on the same server) are taken over; a live claim refuses the insert
// and the claims the script took before it are gone again; a flushed script cache is no failure.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountRepository } from "../../generated/examples/accounts.models.js";
import { ErrorCode, RonyError, type RedisStore } from "../../runtime/index.js";
import { openRedis, type OpenBackend } from "./support/backends.js";
import { account } from "./support/records.js";

describe("insert on one Redis server", () => {
  let opened: OpenBackend & { store: RedisStore };
  let accounts: AccountRepository;
  const prefix = `one${process.pid}x${Date.now()}:`;
  const accountKey = (tenant: string, id: bigint) => `${prefix}account:{${tenant}}:r:${tenant}:${id}`;
  const emailClaim = (email: string) => `${prefix}account:u:account_email:{${email}}`;
  const handleClaim = (tenant: string, handle: string) => `${prefix}account:u:account_tenant_handle:{${tenant}:${handle}}`;

  beforeAll(async () => {
    opened = await openRedis(prefix);
    accounts = new AccountRepository(opened.store);
  });
  afterAll(() => opened.cleanup());

  it("takes over a claim whose owner record was never written", async () => {
    const email = "ghost@x";
    await opened.store.client.set(emailClaim(email), `${accountKey("ghost", 1n)}\n${Date.now()}`);
    const a = await accounts.insert(account({ tenant: "t1", email }));
    expect((await accounts.findByEmail(email))?.id).toBe(a.id);
    expect(await opened.store.client.get(emailClaim(email))).toMatch(/^.*:r:t1:\d+\n\d+$/);
  });

  it("takes over a claim naming the very record being inserted, left without the record", async () => {
    const a = account({ tenant: "t2" });
    await opened.store.client.set(emailClaim(a.email), `${accountKey(a.tenant, a.id)}\n0`);
    await accounts.insert(a);
    expect((await accounts.findByEmail(a.email))?.id).toBe(a.id);
    // Taken over, so stamped with the insert's time.
    expect(await opened.store.client.get(emailClaim(a.email))).not.toMatch(/\n0$/);
  });

  it("inserts after the server lost its script cache (EVAL once, then EVALSHA again)", async () => {
    const client = opened.store.client;
    const calls: string[] = [];
    for (const command of ["evalsha", "eval"] as const) {
      const original = client[command].bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as Record<string, unknown>)[command] = (...args: unknown[]) => (calls.push(command), original(...args));
    }
    await client.script("FLUSH");
    const a = await accounts.insert(account({ tenant: "t4" }));
    // One EVALSHA that finds no script, then straight to EVAL: no second EVALSHA round trip.
    expect(calls).toEqual(["evalsha", "eval"]);
    calls.length = 0;
    await accounts.insert(account({ tenant: "t4" }));
    expect(calls).toEqual(["evalsha"]);
    expect((await accounts.findByEmail(a.email))?.id).toBe(a.id);
    const b = account({ tenant: "t4", email: a.email });
    await opened.store.client.script("FLUSH");
    const error = await accounts.insert(b).then(() => undefined, (e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.ALREADY_EXISTS)).toBe(true);
  });

  it("refuses a value another record holds, writing nothing and freeing the claims it took", async () => {
    const a = await accounts.insert(account({ tenant: "t3" }));
    // Email is claimed first, then the handle that a holds: the email claim must go again.
    const b = account({ tenant: "t3", handle: a.handle });
    const error = await accounts.insert(b).then(() => undefined, (e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.ALREADY_EXISTS)).toBe(true);
    expect(await accounts.get(b)).toBeNull();
    expect(await accounts.count({ tenant: "t3" })).toBe(1);
    expect(await opened.store.client.exists(emailClaim(b.email))).toBe(0);
    expect((await accounts.findByHandle(a.tenant, a.handle))?.id).toBe(a.id);
    expect(await opened.store.client.get(handleClaim(a.tenant, a.handle))).toMatch(new RegExp(`:r:t3:${a.id}\\n\\d+$`));
  });
});
