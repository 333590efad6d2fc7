// The source of subscriptions: a store tells subscribers about committed changes to a model's
// records. Memory and Redis stores implement it here; a replicated store implements the same
// interface (what it must guarantee is below), and `subscribe…` finders work on it unchanged.
import type { ModelDescriptor } from "./descriptor.js";
import type { KeyValue } from "./values.js";

/** One committed write of one record. */
export interface RecordChange<T> {
  /** The record's primary key values, in key order (partition fields, then sort fields). */
  readonly key: readonly KeyValue[];
  /** The record as written, or null when it was deleted. */
  readonly after: T | null;
}

export interface ChangeFeed<T> {
  /**
   * Starts delivering the model's changes to `onChange`; resolves, with a function that stops
   * it, once every change committed from then on will be delivered. For one record, changes
   * arrive in commit order. When changes may have been missed (a reconnect), `onResync` is
   * called: subscribers re-read what they watch. A listener never throws into the feed.
   */
  listen(onChange: (change: RecordChange<T>) => void, onResync: () => void): Promise<() => void>;
}

/** A store whose models can be subscribed to (ModelStore.changes). */
export interface ChangeFeedSource {
  changes<T>(model: ModelDescriptor<T>): ChangeFeed<T>;
}

/** Listeners of one model in one process: what memory feeds and a Redis feed's fan-out share. */
export class LocalFeed<T> implements ChangeFeed<T> {
  readonly #listeners = new Set<{ onChange: (c: RecordChange<T>) => void; onResync: () => void }>();

  get size(): number {
    return this.#listeners.size;
  }

  async listen(onChange: (change: RecordChange<T>) => void, onResync: () => void): Promise<() => void> {
    const entry = { onChange, onResync };
    this.#listeners.add(entry);
    return () => this.#listeners.delete(entry);
  }

  emit(change: RecordChange<T>): void {
    for (const l of this.#listeners) l.onChange(change);
  }

  resync(): void {
    for (const l of this.#listeners) l.onResync();
  }
}
