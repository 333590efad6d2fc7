// The base of a generated repository for a `singleton: true` model: exactly one record, no key.
import type { ModelDescriptor } from "./descriptor.js";
import { planOf, type ModelPlan } from "./plan.js";
import type { ModelStore, ModelTable } from "./store.js";
import { withDefaults } from "./values.js";

const NO_KEY: readonly never[] = [];

/** `get` resolves null until the record is first written; `update` rejects with NOT_FOUND until then. */
export class SingletonRepository<T> {
  readonly #table: ModelTable<T>;
  readonly #plan: ModelPlan<T>;

  constructor(
    readonly store: ModelStore,
    readonly model: ModelDescriptor<T>,
  ) {
    this.#table = store.table(model);
    this.#plan = planOf(model);
  }

  get(): Promise<T | null> {
    return this.#table.get(NO_KEY);
  }

  exists(): Promise<boolean> {
    return this.#table.exists(NO_KEY);
  }

  /** Rejects with ALREADY_EXISTS if the record exists. */
  insert(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.insert([stored]).then(() => stored);
  }

  /** Writes the record, whether or not it exists. */
  save(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.save(stored).then(() => stored);
  }

  /** Rejects with NOT_FOUND if the record does not exist. */
  update(record: T): Promise<T> {
    const stored = withDefaults(this.#plan, record);
    return this.#table.update(stored).then(() => stored);
  }

  delete(): Promise<boolean> {
    return this.#table.delete(NO_KEY);
  }
}
