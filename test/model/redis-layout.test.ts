// ModelLayout.entry builds every key of a write in one pass, with shortcuts (numeric texts, a
// numeric shard's tag, precomputed key heads); the keys must be exactly what RedisKeys builds.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Account, Plan, Session } from "../../generated/examples/accounts.js";
import { AccountModel, SessionModel } from "../../generated/examples/accounts.models.js";
import { ModelLayout } from "../../runtime/model/redis/layout.js";
import type { ModelDescriptor } from "../../runtime/model/descriptor.js";
import type { KeyValue } from "../../runtime/model/values.js";

const text = fc.string({ unit: fc.constantFrom("a", "%", "{", "}", ":", "\n", "\r", "é", "0"), maxLength: 6 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

function expectedKeys<T>(model: ModelDescriptor<T>, layout: ModelLayout<T>, record: T): string[] {
  const get = (name: string) => (record as Record<string, unknown>)[model.fields.find((f) => f.name === name)?.prop as string] as KeyValue;
  const key = [...model.partitionKey, ...model.sortKey.map((s) => s.field)].map(get);
  const tag = layout.keys.tag(key);
  const keys = [layout.keys.record(key), layout.keys.partition(model.partitionKey.map(get))];
  const unique = model.indexes.filter((ix) => ix.unique);
  const other = model.indexes.filter((ix) => !ix.unique);
  for (const ix of unique) keys.push(layout.keys.unique(ix.name, ix.fields.map(get)));
  for (const ix of other) keys.push(layout.keys.nonUnique(tag, ix.name, ix.fields.map(get)));
  for (const ix of other) if (!ix.fields.includes(model.shardKey)) keys.push(layout.keys.directory(ix.name, ix.fields.map(get)));
  return keys;
}

describe("ModelLayout.entry", () => {
  it("builds a Session's keys (int64 shard) as RedisKeys does", () => {
    const layout = new ModelLayout(SessionModel, "p:");
    fc.assert(fc.property(int64, int64, text, text, (accountId, createdAt, token, device) => {
      const s = Session.fromPartial({ accountId, createdAt, token, device });
      expect(layout.entry(s).keys).toEqual(expectedKeys(SessionModel, layout, s));
    }), { numRuns: 500 });
  });

  it("builds an Account's keys (string shard, composite unique index) as RedisKeys does", () => {
    const layout = new ModelLayout(AccountModel, "p:");
    fc.assert(fc.property(text, int64, text, text, fc.constantFrom(Plan.PLAN_FREE, Plan.PLAN_PRO), (tenant, id, email, handle, plan) => {
      const a = Account.fromPartial({ tenant, id, email, handle, plan });
      expect(layout.entry(a).keys).toEqual(expectedKeys(AccountModel, layout, a));
    }), { numRuns: 500 });
  });
});
