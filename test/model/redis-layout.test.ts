// The model plugin writes each model's Redis keys out field by field (RedisEntryBuilder); every
// entry and record key must be exactly what the runtime's RedisKeys and orderKey build.
// Checked on the example models and on test/model/protos/layouts.proto, whose models cover every
// key type, both sort directions, each kind of shard key, every kind of index and a singleton.
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { AccountModel, SessionModel, SiteSettingsModel } from "../../generated/examples/accounts.models.js";
import { AuditEntryModel } from "../../generated/examples/audit.models.js";
import { NoteModel } from "../../generated/examples/notes.models.js";
import type { ModelDescriptor, ValueType } from "../../runtime/model/descriptor.js";
import { orderKey } from "../../runtime/model/order-key.js";
import { joinParts } from "../../runtime/model/redis/keys.js";
import { ModelLayout } from "../../runtime/model/redis/layout.js";
import { fieldValue, type KeyValue } from "../../runtime/model/values.js";
import { writeTree } from "../../fixtures/cases.js";
import { repoRoot, runPlugin } from "../support/run-plugin.js";

// Every character keys and tags escape, and one that UTF-8 writes in two bytes.
const text = fc.string({ unit: fc.constantFrom("a", "%", "{", "}", ":", "\n", "\r", "é", "0", "|"), maxLength: 6 });
const values: Record<string, fc.Arbitrary<unknown>> = {
  string: text,
  bytes: fc.uint8Array({ maxLength: 6 }),
  bool: fc.boolean(),
  int32: fc.integer(),
  enum: fc.integer({ min: 0, max: 2 }),
  uint32: fc.nat({ max: 2 ** 32 - 1 }),
  int64: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  uint64: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  double: fc.double({ noNaN: true }),
  float: fc.float({ noNaN: true }).map(Math.fround),
};

/** Records of a model with arbitrary values in every key and index field, defaults elsewhere. */
function records<T>(model: ModelDescriptor<T>): fc.Arbitrary<T> {
  const used = new Set([...model.partitionKey, ...model.sortKey.map((s) => s.field), ...model.indexes.flatMap((ix) => ix.fields)]);
  const fields = model.fields.filter((f) => used.has(f.name));
  const shape = Object.fromEntries(fields.map((f) => [f.prop, values[f.type as Exclude<ValueType, "list" | "map" | "message">] as fc.Arbitrary<unknown>]));
  return fc.record(shape).map((v) => ({ ...model.codec.create(), ...v }) as T);
}

/** The entry as the runtime's generic key functions build it. */
function expected<T>(layout: ModelLayout<T>, record: T) {
  const { plan, keys } = layout;
  const get = (ix: { fields: readonly { prop: string }[] }) => ix.fields.map((f) => fieldValue(record, f as never) as KeyValue);
  const key = plan.key.map((p) => fieldValue(record, p.field) as KeyValue);
  const tag = keys.tag(key);
  const indexes = [...plan.indexes.values()];
  const claims = indexes.filter((ix) => ix.index.unique).map((ix) => keys.unique(ix.index.name, get(ix)));
  const other = indexes.filter((ix) => !ix.index.unique);
  const zsets = other.map((ix) => keys.nonUnique(tag, ix.index.name, get(ix)));
  const dirs = other.filter((ix) => plan.shard === undefined || !ix.fields.includes(plan.shard)).map((ix) => keys.directory(ix.index.name, get(ix)));
  const rec = keys.recordOf(tag, joinParts(key));
  const part = keys.partition(key.slice(0, plan.partition.length));
  return {
    tag,
    keys: [rec, part, ...claims, ...zsets, ...dirs],
    rec,
    part,
    member: `${orderKey(plan.key, key)}|${joinParts(key)}`,
    body: Buffer.from(plan.model.codec.encode(record).finish()),
    held: [...claims.map((c) => `u${c}\n`), ...zsets.map((z) => `i${z}\n`)].join(""),
  };
}

function holdsToRedisKeys<T>(model: ModelDescriptor<T>): void {
  const layout = new ModelLayout(model, "p:");
  fc.assert(fc.property(records(model), (record) => {
    expect(layout.entry(record)).toEqual(expected(layout, record));
    const key = layout.plan.key.map((p) => fieldValue(record, p.field) as KeyValue);
    expect(layout.record(key)).toBe(layout.keys.recordOf(layout.keys.tag(key), joinParts(key)));
  }), { numRuns: 300 });
}

describe("generated Redis entries", () => {
  for (const model of [SessionModel, AccountModel, SiteSettingsModel, NoteModel, AuditEntryModel] as ModelDescriptor<unknown>[]) {
    it(`${model.name} builds what RedisKeys and orderKey build`, () => holdsToRedisKeys(model));
  }

  describe("layouts.proto", () => {
    const dir = join(repoRoot, ".layout-tmp");
    let models: Record<string, ModelDescriptor<unknown>> = {};

    beforeAll(async () => {
      const result = runPlugin({ "layouts.proto": readFileSync(join(repoRoot, "test/model/protos/layouts.proto"), "utf8") });
      if (!result.ok) throw new Error(result.error);
      rmSync(dir, { recursive: true, force: true });
      writeTree(dir, result.files);
      models = (await import(/* @vite-ignore */ join(dir, "layouts.models.ts"))) as Record<string, ModelDescriptor<unknown>>;
    }, 60_000);

    for (const name of ["NumbersModel", "TextsModel", "FlagsModel", "BlobsModel", "SettingsModel"]) {
      it(`${name} builds what RedisKeys and orderKey build`, () => holdsToRedisKeys(models[name] as ModelDescriptor<unknown>));
    }
  });
});
