// Where a model's keys land on 3 shards and on a 3-master Redis Cluster, unique values across
// nodes, claims left by a writer that crashed between its steps, and a SIGKILLed shard.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountRepository, SessionRepository } from "../../generated/examples/accounts.models.js";
import { ErrorCode, RonyError } from "../../runtime/index.js";
import { ClusterRedis, clusterSlot, ShardedRedis, type KeyValueConnection } from "../../runtime/redis/index.js";
import { openCluster, openSharded, type OpenFleetBackend } from "./support/backends.js";
import { account, session } from "./support/records.js";

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(RonyError.is(error, code), `expected ${ErrorCode[code]}, got ${String(error)}`).toBe(true);
}

/** The keys matching `pattern` on each node, read from the nodes themselves (not through routing). */
async function keysPerNode(kv: KeyValueConnection, pattern: string): Promise<string[][]> {
  const scan = async (node: Redis) => {
    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, found] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== "0");
    return keys;
  };
  if (kv instanceof ShardedRedis) return kv.forEachNode((client) => scan(client));
  if (kv instanceof ClusterRedis) return Promise.all(kv.cluster.nodes("master").map((node) => scan(node)));
  throw new Error(`not a sharded kind: ${kv.kind}`);
}

const grace = 1_000;
const kinds: [string, () => Promise<OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>>][] = [
  ["redis_sharded", () => openSharded(3, grace)],
  ["redis_cluster", () => openCluster(grace)],
];

describe.each(kinds)("models on %s", (kind, open) => {
  let opened: OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>;
  let kv: KeyValueConnection;
  let accounts: AccountRepository;
  let sessions: SessionRepository;
  const accountKey = (tenant: string, id: bigint) => `${opened.keyPrefix}account:{${tenant}}:r:${tenant}:${id}`;
  const emailClaim = (email: string) => `${opened.keyPrefix}account:u:account_email:{${email}}`;

  beforeAll(async () => {
    opened = await open();
    kv = opened.store.connection;
    accounts = new AccountRepository(opened.store);
    sessions = new SessionRepository(opened.store);
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it("keeps every key of a partition on one node", async () => {
    for (let i = 0; i < 6; i++) await sessions.insert(session({ accountId: 777n, createdAt: BigInt(i), device: `dev-${i % 2}` }));
    const perNode = await keysPerNode(kv, `${opened.keyPrefix}session:{777}:*`);
    const holding = perNode.filter((keys) => keys.length > 0);
    expect(holding).toHaveLength(1);
    // 6 records, the partition zset and 2 device zsets.
    expect(holding[0]).toHaveLength(9);
    expect(new Set(holding[0]?.map((k) => kv.ownerOf(k))).size).toBe(1);
    if (kv instanceof ClusterRedis) {
      const cluster = kv.cluster;
      const slots = await Promise.all((holding[0] ?? []).map((k) => cluster.call("CLUSTER", "KEYSLOT", k)));
      expect(new Set(slots)).toEqual(new Set([clusterSlot("{777}")]));
    }
  });

  it("spreads the records of different shard keys over every node", async () => {
    for (let a = 0; a < 30; a++) await sessions.insert(session({ accountId: BigInt(5_000 + a), createdAt: 1n }));
    const perNode = await keysPerNode(kv, `${opened.keyPrefix}session:{5*}:r:*`);
    expect(perNode.map((keys) => keys.length > 0)).toEqual([true, true, true]);
    expect(perNode.flat()).toHaveLength(30);
  });

  it("rejects a unique value held by a record on another node, writing nothing", async () => {
    let n = 0;
    const tenantOn = (other: string | undefined) => {
      for (;;) {
        const t = `${kind}-u${n++}`;
        if (other === undefined || kv.ownerOf(accountKey(t, 0n)) !== kv.ownerOf(accountKey(other, 0n))) return t;
      }
    };
    const t1 = tenantOn(undefined);
    const t2 = tenantOn(t1);
    const a = await accounts.insert(account({ tenant: t1, id: 0n }));
    await rejectsWith(accounts.insert(account({ tenant: t2, id: 0n, email: a.email })), ErrorCode.ALREADY_EXISTS);
    expect(await accounts.get({ tenant: t2, id: 0n })).toBeNull();
    expect(await accounts.count({ tenant: t2 })).toBe(0);
    // The handle claimed before the email conflict was found is free again.
    await accounts.insert(account({ tenant: t2, id: 0n, handle: `other-${t2}` }));
    expect((await accounts.findByEmail(a.email))?.tenant).toBe(t1);
  });

  it("takes over a claim whose writer crashed before writing its record, once older than the grace", async () => {
    const email = `crashed-${kind}@x`;
    // The half-done state: the claim exists, its owner record was never written.
    await kv.set(emailClaim(email), `${accountKey("ghost", 1n)}\n${Date.now() - 10 * grace}`);
    expect(await accounts.findByEmail(email)).toBeNull();
    const a = await accounts.insert(account({ tenant: `${kind}-crash`, email }));
    expect((await accounts.findByEmail(email))?.id).toBe(a.id);
    expect(await kv.get(emailClaim(email))).toMatch(new RegExp(`^${accountKey(a.tenant, a.id).replace(/[{}]/g, "\\$&")}\\n\\d+\\.\\w+$`));
  });

  it("does not take over a young claim: its writer may still be writing the record", async () => {
    const email = `unfinished-${kind}@x`;
    await kv.set(emailClaim(email), `${accountKey("writer", 1n)}\n${Date.now()}`);
    const b = account({ tenant: `${kind}-young`, email });
    await rejectsWith(accounts.insert(b), ErrorCode.ALREADY_EXISTS);
    expect(await accounts.get(b)).toBeNull();
  });

  it("does not take over an old claim whose owner still holds the value", async () => {
    const a = await accounts.insert(account({ tenant: `${kind}-held` }));
    await kv.set(emailClaim(a.email), `${accountKey(a.tenant, a.id)}\n0`);
    await rejectsWith(accounts.insert(account({ tenant: `${kind}-held2`, email: a.email })), ErrorCode.ALREADY_EXISTS);
    expect((await accounts.findByEmail(a.email))?.id).toBe(a.id);
  });

  it("frees a value a crashed save let go of: the record no longer holds it, its old claim turns stale", async () => {
    const a = await accounts.insert(account({ tenant: `${kind}-moved` }));
    await accounts.save({ ...a, email: `new-${a.email}` });
    // A save that crashed after writing the record, before freeing the old value's claim.
    await kv.set(emailClaim(a.email), `${accountKey(a.tenant, a.id)}\n0`);
    expect(await accounts.findByEmail(a.email)).toBeNull();
    const b = await accounts.insert(account({ tenant: `${kind}-moved2`, email: a.email }));
    expect((await accounts.findByEmail(a.email))?.id).toBe(b.id);
  });

  it("puts back a claim a refused write refreshed, so the record can still let the value go at once", async () => {
    const a = await accounts.insert(account({ tenant: `${kind}-refresh` }));
    const before = await kv.get(emailClaim(a.email));
    // The second insert refreshes the claims of its own record's values, then finds the record there.
    await rejectsWith(accounts.insert(a), ErrorCode.ALREADY_EXISTS);
    expect(await kv.get(emailClaim(a.email))).toBe(before);
    await accounts.save({ ...a, email: `moved-${a.email}` });
    expect(await kv.get(emailClaim(a.email))).toBeNull();
    await accounts.insert(account({ tenant: `${kind}-refresh2`, email: a.email }));
  });

  it("undoes the tags that wrote when another tag of a batch refuses a taken key", async () => {
    // Tenants whose records live on three different nodes (or slots).
    const tenants: string[] = [];
    for (let n = 0; tenants.length < 3; n++) {
      const t = `${kind}-batch-${n}`;
      if (tenants.every((x) => kv.ownerOf(accountKey(x, 1n)) !== kv.ownerOf(accountKey(t, 1n)))) tenants.push(t);
    }
    const [t1, t2, t3] = tenants as [string, string, string];
    const taken = await accounts.insert(account({ tenant: t3, id: 1n }));
    const batch = [account({ tenant: t1, id: 1n }), account({ tenant: t2, id: 1n }), account({ tenant: t3, id: 1n })];
    await rejectsWith(accounts.insertMany(batch), ErrorCode.ALREADY_EXISTS);
    expect(await accounts.getMany(batch)).toEqual([null, null, taken]);
    expect([await accounts.count({ tenant: t1 }), await accounts.count({ tenant: t2 })]).toEqual([0, 0]);
    expect(await accounts.findByEmail(batch[0]?.email ?? "")).toBeNull();
    // Their unique values were freed: the same records insert now.
    await accounts.insertMany(batch.slice(0, 2));
    expect((await accounts.findByEmail(batch[1]?.email ?? ""))?.tenant).toBe(t2);
  });

  it("finds by a non-unique index over every node and pages across them in key order", async () => {
    const device = `spread-${kind}`;
    const made = Array.from({ length: 12 }, (_, i) => session({ accountId: BigInt(90_000 + i * 7), createdAt: BigInt(i), device }));
    for (const s of made.reverse()) await sessions.insert(s);
    const owners = new Set(made.map((s) => kv.ownerOf(`{${s.accountId}}`)));
    expect(owners.size).toBeGreaterThan(1);
    const seen: bigint[] = [];
    let cursor = "";
    do {
      const page = await sessions.findByDevice(device, { limit: 5, cursor });
      seen.push(...page.items.map((s) => s.accountId));
      cursor = page.nextCursor;
    } while (cursor !== "");
    expect(seen).toEqual(made.map((s) => s.accountId).sort((x, y) => (x < y ? -1 : 1)));
  });
});

const faultKinds: [string, () => Promise<OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>>][] = [
  ["redis_sharded", () => openSharded(3)],
  // Without full coverage, the masters that are up keep serving their slots.
  ["redis_cluster", () => openCluster(undefined, ["--cluster-require-full-coverage", "no"])],
];

describe.each(faultKinds)("a SIGKILLed node of %s", (_kind, open) => {
  let opened: OpenFleetBackend<ShardedRedis> | OpenFleetBackend<ClusterRedis>;

  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    await opened?.cleanup();
  });

  it("fails calls on its keys with UNAVAILABLE while partitions on the other nodes keep working", async () => {
    const kv = opened.store.connection;
    const sessions = new SessionRepository(opened.store);
    const dead = kv.ownerOf("{1}");
    const tagOn = (alive: boolean, from: number) => {
      for (let a = from; ; a++) if ((kv.ownerOf(`{${a}}`) === dead) !== alive) return BigInt(a);
    };
    let i = 0;
    const tokenOn = (alive: boolean) => {
      for (; ; i++) {
        const token = `kill-${i}`;
        if ((kv.ownerOf(`${opened.keyPrefix}session:u:session_token:{${token}}`) === dead) !== alive) return (i++, token);
      }
    };
    // The directory of a device value lives where the value hashes.
    const deviceOn = (alive: boolean) => {
      for (let d = 0; ; d++) if ((kv.ownerOf(`${opened.keyPrefix}session:d:session_device:{dev-${d}}`) === dead) !== alive) return `dev-${d}`;
    };
    const onDead = tagOn(false, 1);
    const onLive = tagOn(true, 1);
    const device = deviceOn(true);
    const kept = await sessions.insert(session({ accountId: onLive, createdAt: 1n, token: tokenOn(true), device }));
    await sessions.insert(session({ accountId: onDead, createdAt: 1n }));
    await opened.fleet.kill(opened.fleet.servers.findIndex((s) => s.address === dead));

    await rejectsWith(sessions.get({ accountId: onDead, createdAt: 1n, token: "x" }), ErrorCode.UNAVAILABLE);
    await rejectsWith(sessions.list({ accountId: onDead }), ErrorCode.UNAVAILABLE);
    // A live partition, but its unique value is claimed on the dead node, or its device's directory is there.
    await rejectsWith(sessions.insert(session({ accountId: onLive, createdAt: 3n, token: tokenOn(false), device })), ErrorCode.UNAVAILABLE);
    await rejectsWith(sessions.insert(session({ accountId: onLive, createdAt: 4n, token: tokenOn(true), device: deviceOn(false) })), ErrorCode.UNAVAILABLE);
    expect(await sessions.count({ accountId: onLive })).toBe(1);

    expect(await sessions.get(kept)).toEqual(kept);
    const more = await sessions.insert(session({ accountId: onLive, createdAt: 2n, token: tokenOn(true), device }));
    expect((await sessions.list({ accountId: onLive })).items.map((s) => s.token)).toContain(more.token);
  });
});
