// A descriptor resolved once into the lookups every back-end needs (key fields in order, index
// fields, defaults), so no back-end searches the field list per call.
import type { FieldDescriptor, IndexDescriptor, ModelDescriptor } from "./descriptor.js";

export interface KeyPart {
  readonly field: FieldDescriptor;
  readonly descending: boolean;
}

export interface IndexPlan {
  readonly index: IndexDescriptor;
  readonly fields: readonly FieldDescriptor[];
}

export interface ModelPlan<T> {
  readonly model: ModelDescriptor<T>;
  readonly partition: readonly FieldDescriptor[];
  readonly sort: readonly KeyPart[];
  /** Partition fields (ascending) then sort fields: the primary key, in list order. */
  readonly key: readonly KeyPart[];
  readonly indexes: ReadonlyMap<string, IndexPlan>;
  readonly withDefaults: readonly FieldDescriptor[];
  /** The shard key field; undefined for a singleton (no key at all). */
  readonly shard: FieldDescriptor | undefined;
}

const plans = new WeakMap<object, ModelPlan<unknown>>();

export function planOf<T>(model: ModelDescriptor<T>): ModelPlan<T> {
  const cached = plans.get(model);
  if (cached !== undefined) return cached as ModelPlan<T>;
  const field = (name: string): FieldDescriptor => {
    const found = model.fields.find((f) => f.name === name);
    if (found === undefined) throw new Error(`model ${model.name}: no field "${name}" (descriptor out of date?)`);
    return found;
  };
  const partition = model.partitionKey.map(field);
  const sort = model.sortKey.map((s) => ({ field: field(s.field), descending: s.descending }));
  const plan: ModelPlan<T> = {
    model,
    partition,
    sort,
    key: [...partition.map((f) => ({ field: f, descending: false })), ...sort],
    indexes: new Map(model.indexes.map((ix) => [ix.name, { index: ix, fields: ix.fields.map(field) }])),
    withDefaults: model.fields.filter((f) => f.defaultValue !== undefined),
    shard: model.shardKey === "" ? undefined : field(model.shardKey),
  };
  plans.set(model, plan);
  return plan;
}

export function indexPlan<T>(plan: ModelPlan<T>, name: string): IndexPlan {
  const ix = plan.indexes.get(name);
  if (ix === undefined) throw new Error(`model ${plan.model.name}: no index "${name}"`);
  return ix;
}
