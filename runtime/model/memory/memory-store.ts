// The embedded default: models in process memory, with the same API and guarantees as MySQL and
// Redis (unique indexes, sort order, cursors), for demos, tests and users with no database yet.
// Every call runs to completion without awaiting, so each one is atomic.
import type { ModelDescriptor } from "../descriptor.js";
import type { ChangeFeed, ChangeFeedSource } from "../change-feed.js";
import type { ModelStore, ModelTable } from "../store.js";
import { MemoryTable } from "./memory-table.js";

export class MemoryStore implements ModelStore, ChangeFeedSource {
  readonly kind = "memory";
  readonly #tables = new Map<string, MemoryTable<unknown>>();

  constructor(readonly name = "memory") {}

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    return this.#table(model);
  }

  /** Changes are told to subscribers as each write completes, in the same process. */
  changes<T>(model: ModelDescriptor<T>): ChangeFeed<T> {
    return this.#table(model).feed;
  }

  #table<T>(model: ModelDescriptor<T>): MemoryTable<T> {
    let table = this.#tables.get(model.name);
    if (table === undefined) {
      table = new MemoryTable(model as ModelDescriptor<unknown>);
      this.#tables.set(model.name, table);
    }
    return table as MemoryTable<T>;
  }

  /** Nothing to create: tables appear on first use. */
  async migrate(): Promise<void> {}

  /** Drops every record. */
  async close(): Promise<void> {
    this.#tables.clear();
  }
}
