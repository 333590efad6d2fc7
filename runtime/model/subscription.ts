// A live query: the current value(s) of a key, a partition or an index value, then each change
// with the value before it, only when the value changed. Built on a store's ChangeFeed: it
// listens first, reads the current state, then applies what the feed delivered meanwhile, so no
// change falls between the read and the first delivery. It remembers the last value of every
// record it reports, which is where each change's `previous` comes from.
import { ErrorCode, RonyError } from "../rpc/errors.js";
import type { ChangeFeed, RecordChange } from "./change-feed.js";
import type { ModelDescriptor } from "./descriptor.js";
import { orderKey } from "./order-key.js";
import type { KeyPart, ModelPlan } from "./plan.js";
import type { ModelTable } from "./store.js";
import { keyValues, type KeyValue } from "./values.js";
import { StreamQueue } from "../rpc/stream-queue.js";

/** One delivery: `previous` null and `value` set for a record that appeared, the reverse for one that went. */
export interface Update<T> {
  readonly value: T | null;
  readonly previous: T | null;
}

/** What a subscription watches. */
export type Scope =
  | { readonly kind: "key"; readonly key: readonly KeyValue[] }
  | { readonly kind: "partition"; readonly partition: readonly KeyValue[] }
  | { readonly kind: "index"; readonly index: string; readonly values: readonly KeyValue[] };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class Subscription<T> implements AsyncIterable<Update<T>> {
  readonly #last = new Map<string, T>();
  readonly #id: (key: readonly KeyValue[]) => string;
  readonly #matches: (record: T) => boolean;

  constructor(
    readonly model: ModelDescriptor<T>,
    readonly plan: ModelPlan<T>,
    readonly table: ModelTable<T>,
    readonly feed: ChangeFeed<T>,
    readonly scope: Scope,
  ) {
    const keyParts = plan.key;
    this.#id = (key) => orderKey(keyParts, key);
    const watch = (parts: readonly KeyPart[], values: readonly KeyValue[]) => {
      const want = orderKey(parts, values);
      const fields = parts.map((p) => p.field);
      return (record: T) => orderKey(parts, keyValues(record, fields)) === want;
    };
    if (scope.kind === "key") this.#matches = watch(keyParts, scope.key);
    else if (scope.kind === "partition") this.#matches = watch(plan.partition.map((field) => ({ field, descending: false })), scope.partition);
    else {
      const ix = plan.indexes.get(scope.index);
      if (ix === undefined) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `model ${model.name}: no index "${scope.index}"`);
      this.#matches = watch(ix.fields.map((field) => ({ field, descending: false })), scope.values);
    }
  }

  /**
   * Hand-written rather than a generator so that return() stops it at once, even while a read
   * is waiting for the next change (a cancelled stream's handler returns it from outside).
   */
  [Symbol.asyncIterator](): AsyncIterator<Update<T>> {
    let stop: (() => void) | undefined;
    let stopped = false;
    const out = new StreamQueue<Update<T>>(
      () => {},
      () => {
        stopped = true;
        stop?.();
      },
    );
    void this.#start(out).then(
      (s) => (stopped ? s() : (stop = s)),
      (e) => out.fail(e),
    );
    return out;
  }

  /** Listens, reads the current state, then applies what arrived meanwhile; resolves with the unlisten. */
  async #start(out: StreamQueue<Update<T>>): Promise<() => void> {
    let ready = false;
    let resyncing: Promise<void> | undefined;
    const early: RecordChange<T>[] = [];
    const apply = (change: RecordChange<T>) => {
      const update = this.#apply(change);
      if (update !== undefined) out.push(update);
    };
    const resync = () => {
      // One re-read at a time; a resync asked for during one runs after it.
      resyncing = (resyncing ?? Promise.resolve()).then(() => this.#read(true)).then(
        (updates) => updates.forEach((u) => out.push(u)),
        (e) => out.fail(e),
      );
    };
    const stop = await this.feed.listen(
      (change) => (ready ? apply(change) : early.push(change)),
      () => (ready ? resync() : undefined),
    );
    try {
      for (const u of await this.#read(false)) out.push(u);
    } catch (e) {
      stop();
      throw e;
    }
    ready = true;
    for (const c of early.splice(0)) apply(c);
    return stop;
  }

  /** The change as this subscription reports it, or undefined when its value did not change. */
  #apply(change: RecordChange<T>): Update<T> | undefined {
    const id = this.#id(change.key);
    const previous = this.#last.get(id) ?? null;
    const value = change.after !== null && this.#matches(change.after) ? change.after : null;
    if (previous === null && value === null) return undefined;
    if (previous !== null && value !== null && sameBytes(this.#bytes(previous), this.#bytes(value))) return undefined;
    if (value === null) this.#last.delete(id);
    else this.#last.set(id, value);
    return { value, previous };
  }

  #bytes(record: T): Uint8Array {
    return this.model.codec.encode(record).finish();
  }

  /**
   * The current state. First read: one update per record (for a key, one update even when it is
   * missing). A resync: only what differs from what was last reported.
   */
  async #read(resync: boolean): Promise<Update<T>[]> {
    const current = await this.#current();
    const updates: Update<T>[] = [];
    const seen = new Set<string>();
    for (const record of current) {
      const key = keyValues(record, this.plan.key.map((p) => p.field));
      seen.add(this.#id(key));
      const u = this.#apply({ key, after: record });
      if (u !== undefined) updates.push(u);
    }
    if (resync) {
      for (const [id, previous] of [...this.#last]) {
        if (seen.has(id)) continue;
        this.#last.delete(id);
        updates.push({ value: null, previous });
      }
    } else if (this.scope.kind === "key" && current.length === 0) {
      updates.push({ value: null, previous: null });
    }
    return updates;
  }

  async #current(): Promise<T[]> {
    const scope = this.scope;
    if (scope.kind === "key") {
      const r = await this.table.get(scope.key);
      return r === null ? [] : [r];
    }
    if (scope.kind === "index" && this.plan.indexes.get(scope.index)?.index.unique === true) {
      const r = await this.table.findUnique(scope.index, scope.values);
      return r === null ? [] : [r];
    }
    const all: T[] = [];
    let cursor = "";
    do {
      const page = scope.kind === "partition" ? await this.table.list(scope.partition, { cursor, limit: 1000 }) : await this.table.findMany(scope.index, scope.values, { cursor, limit: 1000 });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== "");
    return all;
  }
}
