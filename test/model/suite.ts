// The behavioural suite every back-end must pass, case for case: memory, MySQL and Redis.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Account, Plan, SiteSettings } from "../../generated/examples/accounts.js";
import { AccountRepository, SessionRepository, SiteSettingsRepository } from "../../generated/examples/accounts.models.js";
import { ErrorCode, RonyError } from "../../runtime/index.js";
import type { Backend, OpenBackend } from "./support/backends.js";
import { account, session } from "./support/records.js";

const MAX_I64 = 2n ** 63n - 1n;
const MIN_I64 = -(2n ** 63n);
const MAX_U64 = 2n ** 64n - 1n;

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<RonyError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error, `expected ${ErrorCode[code]}`).toBeInstanceOf(RonyError);
  expect(ErrorCode[(error as RonyError).code]).toBe(ErrorCode[code]);
  return error as RonyError;
}

export function defineModelSuite(backend: Backend): void {
  describe(`models on ${backend.name}`, () => {
    let opened: OpenBackend;
    let accounts: AccountRepository;
    let sessions: SessionRepository;
    // Each case works in its own tenant, so cases never see each other's records.
    let tenantNo = 0;
    const tenant = (label: string) => `${label}-${++tenantNo}`;

    beforeAll(async () => {
      opened = await backend.open();
      accounts = new AccountRepository(opened.store);
      sessions = new SessionRepository(opened.store);
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    it("inserts a record and reads back every field", async () => {
      const a = account({ tenant: tenant("read"), nickname: "nick" });
      await accounts.insert(a);
      expect(await accounts.get({ tenant: a.tenant, id: a.id })).toEqual(a);
    });

    it("resolves null for a missing record", async () => {
      expect(await accounts.get({ tenant: tenant("missing"), id: 1n })).toBeNull();
    });

    it("rejects a duplicate primary key with ALREADY_EXISTS and keeps the original", async () => {
      const a = account({ tenant: tenant("dup") });
      await accounts.insert(a);
      await rejectsWith(accounts.insert({ ...a, email: `other-${a.email}`, handle: "other", displayName: "changed" }), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.get(a)).toEqual(a);
    });

    it("rejects a duplicate unique value with ALREADY_EXISTS and writes nothing", async () => {
      const t = tenant("uniq");
      const a = account({ tenant: t });
      await accounts.insert(a);
      const b = account({ tenant: t, email: a.email });
      await rejectsWith(accounts.insert(b), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.get(b)).toBeNull();
      expect(await accounts.count({ tenant: t })).toBe(1);
      expect((await accounts.findByEmail(a.email))?.id).toBe(a.id);
    });

    it("scopes a composite unique index to its fields", async () => {
      const [t1, t2] = [tenant("handle"), tenant("handle")];
      await accounts.insert(account({ tenant: t1, handle: "sam" }));
      await accounts.insert(account({ tenant: t2, handle: "sam" }));
      await rejectsWith(accounts.insert(account({ tenant: t1, handle: "sam" })), ErrorCode.ALREADY_EXISTS);
      expect((await accounts.findByHandle(t2, "sam"))?.tenant).toBe(t2);
    });

    it("keeps int64 and uint64 extremes exact in columns, lists, maps and nested messages", async () => {
      const t = tenant("i64");
      const records = [MAX_I64, MIN_I64].map((id) =>
        account({ tenant: t, id, credits: MAX_U64, friendIds: [MAX_I64, MIN_I64, 0n], counters: { max: MAX_I64, min: MIN_I64 }, address: { street: "", city: "", geohash: MIN_I64 } }));
      await accounts.insertMany(records);
      for (const r of records) expect(await accounts.get(r)).toEqual(r);
      expect(await accounts.get({ tenant: t, id: MAX_I64 - 1n })).toBeNull();
    });

    it("lists int64 sort keys in numeric order, negatives first", async () => {
      const t = tenant("order");
      const ids = [0n, MAX_I64, -1n, MIN_I64, 1n, -(2n ** 40n), 2n ** 40n];
      for (const id of ids) await accounts.insert(account({ tenant: t, id }));
      const page = await accounts.list({ tenant: t });
      expect(page.items.map((a) => a.id)).toEqual([...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    });

    it("stores unicode in keys, indexes and values", async () => {
      const t = tenant("ünïcødé-😀-中文");
      const a = account({ tenant: t, email: "почта@例え.jp", handle: "e\u0301😀", displayName: "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 — «ok»", tags: ["😀", "\u0000nul", "tab\t"] });
      await accounts.insert(a);
      expect(await accounts.get(a)).toEqual(a);
      expect((await accounts.findByEmail("почта@例え.jp"))?.id).toBe(a.id);
      expect((await accounts.findByHandle(t, "e\u0301😀"))?.id).toBe(a.id);
      expect(await accounts.findByHandle(t, "é😀")).toBeNull();
    });

    it("orders strings by code point, the same on every back-end", async () => {
      const accountId = BigInt(++tenantNo);
      const tokens = ["b", "a", "\uffff", "😀", "é", "a ", ""].map((s) => `${accountId}:${s}`);
      for (const token of tokens) await sessions.insert(session({ accountId, createdAt: 5n, token }));
      const listed = (await sessions.list({ accountId })).items.map((s) => s.token);
      const byCodePoint = [...tokens].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect(listed).toEqual(byCodePoint);
    });

    it("keeps trailing spaces significant in unique values", async () => {
      const t = tenant("pad");
      await accounts.insert(account({ tenant: t, handle: "pad" }));
      await accounts.insert(account({ tenant: t, handle: "pad " }));
      expect((await accounts.findByHandle(t, "pad "))?.handle).toBe("pad ");
    });

    it("accepts empty strings as keys and index values", async () => {
      const a = account({ tenant: "", id: BigInt(1_000_000 + ++tenantNo), email: "", handle: "" });
      await accounts.insert(a);
      expect(await accounts.get(a)).toEqual(a);
      expect((await accounts.findByEmail(""))?.id).toBe(a.id);
      expect((await accounts.findByHandle("", ""))?.id).toBe(a.id);
      expect((await accounts.list({ tenant: "" })).items.map((x) => x.id)).toContain(a.id);
      expect(await accounts.delete(a)).toBe(true);
    });

    it("round-trips zero values (empty strings, 0, false, empty bytes and lists)", async () => {
      const a = Account.fromPartial({ tenant: tenant("zero"), id: 0n, email: `zero-${tenantNo}@x`, handle: "z", locale: "fr", quota: 1 });
      await accounts.insert(a);
      expect(await accounts.get(a)).toEqual(a);
    });

    it("applies (rony.field).default to fields left at their zero value", async () => {
      const t = tenant("default");
      const stored = await accounts.insert(account({ tenant: t, locale: "", quota: 0 }));
      expect(stored.locale).toBe("en");
      expect(stored.quota).toBe(100);
      const read = await accounts.get(stored);
      expect([read?.locale, read?.quota]).toEqual(["en", 100]);
      const explicit = await accounts.insert(account({ tenant: t, locale: "pt", quota: 7 }));
      expect([explicit.locale, explicit.quota]).toEqual(["pt", 7]);
    });

    it("keeps presence: an unset optional or message stays unset, an empty one stays set", async () => {
      const t = tenant("presence");
      const unset = account({ tenant: t, nickname: undefined, address: undefined });
      const empty = account({ tenant: t, nickname: "", address: { street: "", city: "", geohash: 0n } });
      await accounts.insertMany([unset, empty]);
      const [u, e] = await accounts.getMany([unset, empty]);
      expect(u?.nickname).toBeUndefined();
      expect(u?.address).toBeUndefined();
      expect(e?.nickname).toBe("");
      expect(e?.address).toEqual({ street: "", city: "", geohash: 0n });
    });

    it("round-trips bytes with zero bytes, doubles, floats, bools and enums", async () => {
      const a = account({
        tenant: tenant("scalars"),
        avatar: new Uint8Array([0, 255, 0, 128, 10, 13]),
        balance: -1.7976931348623157e308,
        ratio: Math.fround(3.14159),
        score: -2147483648,
        logins: 4294967295,
        active: false,
        plan: Plan.PLAN_ENTERPRISE,
      });
      await accounts.insert(a);
      expect(await accounts.get(a)).toEqual(a);
    });

    it("save inserts a missing record", async () => {
      const a = account({ tenant: tenant("save-new") });
      await accounts.save(a);
      expect(await accounts.get(a)).toEqual(a);
    });

    it("save replaces a record and moves its unique values", async () => {
      const a = account({ tenant: tenant("save") });
      await accounts.insert(a);
      const changed = { ...a, email: `moved-${a.email}`, displayName: "Moved" };
      await accounts.save(changed);
      expect(await accounts.get(a)).toEqual(changed);
      expect(await accounts.findByEmail(a.email)).toBeNull();
      expect((await accounts.findByEmail(changed.email))?.id).toBe(a.id);
      await accounts.insert(account({ tenant: a.tenant, email: a.email }));
    });

    it("save rejects a unique value that belongs to another record and changes nothing", async () => {
      const t = tenant("save-conflict");
      const a = account({ tenant: t });
      const b = account({ tenant: t });
      await accounts.insertMany([a, b]);
      await rejectsWith(accounts.save({ ...b, email: a.email, displayName: "x" }), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.get(b)).toEqual(b);
      await rejectsWith(accounts.save(account({ tenant: t, email: a.email })), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.count({ tenant: t })).toBe(2);
    });

    it("update replaces an existing record", async () => {
      const a = account({ tenant: tenant("update") });
      await accounts.insert(a);
      const changed = { ...a, plan: Plan.PLAN_FREE, tags: [], credits: 0n };
      expect(await accounts.update(changed)).toEqual(changed);
      expect(await accounts.get(a)).toEqual(changed);
    });

    it("update rejects a missing record with NOT_FOUND and creates nothing", async () => {
      const a = account({ tenant: tenant("update-missing") });
      await rejectsWith(accounts.update(a), ErrorCode.NOT_FOUND);
      expect(await accounts.exists(a)).toBe(false);
    });

    it("update rejects a taken unique value with ALREADY_EXISTS", async () => {
      const t = tenant("update-conflict");
      const [a, b] = [account({ tenant: t }), account({ tenant: t })];
      await accounts.insertMany([a, b]);
      await rejectsWith(accounts.update({ ...b, handle: a.handle }), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.get(b)).toEqual(b);
    });

    it("delete removes the record and frees its unique values", async () => {
      const a = account({ tenant: tenant("delete") });
      await accounts.insert(a);
      expect(await accounts.delete(a)).toBe(true);
      expect(await accounts.get(a)).toBeNull();
      expect(await accounts.findByEmail(a.email)).toBeNull();
      expect(await accounts.count({ tenant: a.tenant })).toBe(0);
      await accounts.insert(account({ tenant: a.tenant, email: a.email, handle: a.handle }));
    });

    it("delete resolves false for a missing record", async () => {
      expect(await accounts.delete({ tenant: tenant("delete-missing"), id: 9n })).toBe(false);
    });

    it("exists tells present from missing", async () => {
      const a = account({ tenant: tenant("exists") });
      expect(await accounts.exists(a)).toBe(false);
      await accounts.insert(a);
      expect(await accounts.exists(a)).toBe(true);
    });

    it("counts a partition and the whole model", async () => {
      const t = tenant("count");
      const before = await accounts.count();
      await accounts.insertMany([account({ tenant: t }), account({ tenant: t }), account({ tenant: t })]);
      expect(await accounts.count({ tenant: t })).toBe(3);
      expect(await accounts.count()).toBe(before + 3);
    });

    it("pages through a partition in sort order with cursors", async () => {
      const t = tenant("paging");
      const records = Array.from({ length: 25 }, (_, i) => account({ tenant: t, id: BigInt(i * 3 - 30) }));
      await accounts.insertMany([...records].reverse());
      const seen: bigint[] = [];
      const sizes: number[] = [];
      let cursor = "";
      do {
        const page = await accounts.list({ tenant: t }, { limit: 10, cursor });
        sizes.push(page.items.length);
        seen.push(...page.items.map((a) => a.id));
        cursor = page.nextCursor;
      } while (cursor !== "");
      expect(sizes).toEqual([10, 10, 5]);
      expect(seen).toEqual(records.map((r) => r.id));
    });

    it("ends on a full last page with an empty cursor", async () => {
      const t = tenant("exact");
      await accounts.insertMany(Array.from({ length: 4 }, () => account({ tenant: t })));
      const first = await accounts.list({ tenant: t }, { limit: 2 });
      const second = await accounts.list({ tenant: t }, { limit: 2, cursor: first.nextCursor });
      expect([first.items.length, second.items.length, second.nextCursor]).toEqual([2, 2, ""]);
    });

    it("lists an empty partition as an empty last page", async () => {
      expect(await accounts.list({ tenant: tenant("empty") })).toEqual({ items: [], nextCursor: "" });
    });

    it("lists a descending, two-part sort key across pages", async () => {
      const accountId = BigInt(10_000 + ++tenantNo);
      const created = [5n, 1n, 9n, 5n, 7n, 1n];
      const all = created.map((createdAt, i) => session({ accountId, createdAt, token: `t${accountId}-${i}` }));
      for (const s of all) await sessions.insert(s);
      const expected = [...all].sort((a, b) => (a.createdAt !== b.createdAt ? (a.createdAt > b.createdAt ? -1 : 1) : a.token < b.token ? -1 : 1));
      const first = await sessions.list({ accountId }, { limit: 4 });
      const rest = await sessions.list({ accountId }, { limit: 4, cursor: first.nextCursor });
      expect([...first.items, ...rest.items].map((s) => s.token)).toEqual(expected.map((s) => s.token));
      expect(rest.nextCursor).toBe("");
    });

    it("finds by a non-unique index across partitions in primary key order, paged", async () => {
      const plan = Plan.PLAN_ENTERPRISE;
      const device = `dev-${++tenantNo}`;
      const made = [3n, 1n, 2n, 1n].map((accountId, i) => session({ accountId: accountId + BigInt(tenantNo) * 100n, createdAt: BigInt(i), device }));
      for (const s of made) await sessions.insert(s);
      const first = await sessions.findByDevice(device, { limit: 3 });
      const second = await sessions.findByDevice(device, { limit: 3, cursor: first.nextCursor });
      const got = [...first.items, ...second.items];
      expect(got).toHaveLength(4);
      const keyOrder = [...made].sort((a, b) => (a.accountId !== b.accountId ? (a.accountId < b.accountId ? -1 : 1) : a.createdAt > b.createdAt ? -1 : 1));
      expect(got.map((s) => s.token)).toEqual(keyOrder.map((s) => s.token));
      expect(second.nextCursor).toBe("");
      expect((await accounts.findByPlan(plan, { limit: 1 })).items.length).toBeLessThanOrEqual(1);
    });

    it("moves a record between non-unique index values on save", async () => {
      const s = session({ accountId: BigInt(20_000 + ++tenantNo), device: `old-${tenantNo}` });
      await sessions.insert(s);
      await sessions.save({ ...s, device: `new-${tenantNo}` });
      expect((await sessions.findByDevice(`old-${tenantNo}`)).items).toEqual([]);
      expect((await sessions.findByDevice(`new-${tenantNo}`)).items.map((x) => x.token)).toEqual([s.token]);
    });

    it("resolves null from a unique finder when nothing matches", async () => {
      expect(await accounts.findByEmail(`nobody-${++tenantNo}@nowhere`)).toBeNull();
      expect(await sessions.findByToken(`no-token-${tenantNo}`)).toBeNull();
    });

    it("reads many records in one call, null where missing, in request order", async () => {
      const t = tenant("many");
      const [a, b] = [account({ tenant: t }), account({ tenant: t })];
      await accounts.insertMany([a, b]);
      const got = await accounts.getMany([b, { tenant: t, id: -5n }, a]);
      expect(got).toEqual([b, null, a]);
      expect(await accounts.getMany([])).toEqual([]);
    });

    it("inserts a batch all or nothing when one record conflicts", async () => {
      const t = tenant("batch");
      const taken = account({ tenant: t });
      await accounts.insert(taken);
      const batch = [account({ tenant: t }), account({ tenant: t }), account({ tenant: t, email: taken.email })];
      await rejectsWith(accounts.insertMany(batch), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.getMany(batch)).toEqual([null, null, null]);
      expect(await accounts.count({ tenant: t })).toBe(1);
    });

    it("rejects a batch that conflicts with itself", async () => {
      const t = tenant("self");
      const a = account({ tenant: t });
      await rejectsWith(accounts.insertMany([a, account({ tenant: t, email: a.email })]), ErrorCode.ALREADY_EXISTS);
      await rejectsWith(accounts.insertMany([a, { ...a }]), ErrorCode.ALREADY_EXISTS);
      expect(await accounts.count({ tenant: t })).toBe(0);
    });

    it("lets exactly one of many concurrent writers claim a unique value", async () => {
      const t = tenant("race");
      const email = `race-${tenantNo}@x`;
      const results = await Promise.allSettled(Array.from({ length: 12 }, () => accounts.insert(account({ tenant: t, email }))));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const r of results.filter((x) => x.status === "rejected")) {
        expect(RonyError.is((r as PromiseRejectedResult).reason, ErrorCode.ALREADY_EXISTS)).toBe(true);
      }
      expect(await accounts.count({ tenant: t })).toBe(1);
    });

    it("keeps every record from concurrent writers to distinct keys", async () => {
      const t = tenant("writers");
      const records = Array.from({ length: 30 }, () => account({ tenant: t }));
      await Promise.all(records.map((r) => accounts.save(r)));
      expect(await accounts.count({ tenant: t })).toBe(30);
      expect((await accounts.list({ tenant: t }, { limit: 100 })).items).toHaveLength(30);
    });

    it("settles concurrent saves of one new key into one record", async () => {
      const t = tenant("same-key");
      const base = account({ tenant: t });
      await Promise.all(Array.from({ length: 8 }, (_, i) => accounts.save({ ...base, displayName: `v${i}` })));
      expect(await accounts.count({ tenant: t })).toBe(1);
      expect((await accounts.get(base))?.displayName).toMatch(/^v\d$/);
    });

    it("rejects a cursor from another listing with INVALID_ARGUMENT", async () => {
      await rejectsWith(accounts.list({ tenant: "x" }, { cursor: "not-a-cursor" }), ErrorCode.INVALID_ARGUMENT);
      const page = await sessions.findByDevice("phone", { limit: 1 });
      if (page.nextCursor !== "") await rejectsWith(accounts.list({ tenant: "x" }, { cursor: page.nextCursor }), ErrorCode.INVALID_ARGUMENT);
    });

    it("hands out copies: changing a returned record changes nothing stored", async () => {
      const a = account({ tenant: tenant("copy") });
      const stored = await accounts.insert(a);
      const read = await accounts.get(a);
      if (read === null) throw new Error("record missing");
      read.tags.push("mutated");
      stored.friendIds.push(99n);
      expect((await accounts.get(a))?.tags).toEqual(["a", "b"]);
    });

    it("keeps a singleton's one record through its whole life", async () => {
      const settings = new SiteSettingsRepository(opened.store);
      expect([await settings.get(), await settings.exists()]).toEqual([null, false]);
      await rejectsWith(settings.update(SiteSettings.fromPartial({ revision: 1n })), ErrorCode.NOT_FOUND);
      const first = await settings.insert(SiteSettings.fromPartial({ revision: 1n, banners: ["hi"] }));
      expect(first.theme).toBe("light");
      await rejectsWith(settings.insert(SiteSettings.fromPartial({ revision: 2n })), ErrorCode.ALREADY_EXISTS);
      expect(await settings.get()).toEqual(first);
      const second = await settings.save({ theme: "dark", revision: 2n ** 63n - 1n, banners: [] });
      expect(await settings.get()).toEqual(second);
      expect(await settings.update({ ...second, revision: 3n })).toEqual({ ...second, revision: 3n });
      expect(await settings.delete()).toBe(true);
      expect([await settings.get(), await settings.delete()]).toEqual([null, false]);
    });

    it("settles concurrent saves of a singleton into one record", async () => {
      const settings = new SiteSettingsRepository(opened.store);
      await Promise.all(Array.from({ length: 8 }, (_, i) => settings.save({ theme: `t${i}`, revision: BigInt(i), banners: [] })));
      expect((await settings.get())?.theme).toMatch(/^t\d$/);
      expect(await settings.delete()).toBe(true);
      expect(await settings.exists()).toBe(false);
    });

    it("treats limit 0 as the default page size", async () => {
      const t = tenant("limit");
      await accounts.insertMany(Array.from({ length: 3 }, () => account({ tenant: t })));
      expect((await accounts.list({ tenant: t }, { limit: 0 })).items).toHaveLength(3);
    });
  });
}
