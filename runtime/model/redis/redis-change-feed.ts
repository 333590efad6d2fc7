// Changes of subscribable models on a redis connection, across processes, by Redis pub/sub:
// each write of a subscribable model is followed by a PUBLISH on `<key prefix>rony:changes:<table>`
// (the record's protobuf bytes, or its key for a delete), and every process that has subscribers
// listens on one extra connection. Pub/sub is at-most-once: a change published while a listening
// connection is down is lost, and one written by a process that dies between its write and its
// PUBLISH is never sent. So when the listening connection comes back, every subscription re-reads
// what it watches (onResync) and reports what differs: subscribers end up at the current value,
// but may miss values in between. Keyspace notifications were not used: they need server config
// (notify-keyspace-events) and carry only key names, so every change would cost a read.
import type { Redis } from "ioredis";
import { LocalFeed, type ChangeFeed, type RecordChange } from "../change-feed.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import type { ModelDescriptor } from "../descriptor.js";
import { planOf } from "../plan.js";
import type { ModelTable, Page, PageRequest } from "../store.js";
import { keyValues, type KeyValue } from "../values.js";

const PUT = 1;
const DELETE = 2;

interface ModelFeed {
  readonly model: ModelDescriptor<unknown>;
  readonly local: LocalFeed<unknown>;
  subscribed: Promise<unknown> | undefined;
}

export class RedisChangeFeeds {
  readonly #feeds = new Map<string, ModelFeed>();
  #listener: Redis | undefined;
  #connectedOnce = false;

  constructor(
    private readonly client: Redis,
    private readonly keyPrefix: string,
  ) {}

  channel(model: ModelDescriptor<unknown>): string {
    return `${this.keyPrefix}rony:changes:${model.table}`;
  }

  feed<T>(model: ModelDescriptor<T>): ChangeFeed<T> {
    const channel = this.channel(model as ModelDescriptor<unknown>);
    let f = this.#feeds.get(channel);
    if (f === undefined) {
      f = { model: model as ModelDescriptor<unknown>, local: new LocalFeed<unknown>(), subscribed: undefined };
      this.#feeds.set(channel, f);
    }
    const entry = f;
    return {
      listen: async (onChange, onResync) => {
        const stop = await entry.local.listen(onChange as (c: RecordChange<unknown>) => void, onResync);
        entry.subscribed ??= this.#listening().subscribe(channel);
        await entry.subscribed;
        return stop;
      },
    };
  }

  /** Tells other processes (and this one) about a write; resolves once Redis took it. */
  publish<T>(model: ModelDescriptor<T>, change: RecordChange<T>): Promise<unknown> {
    let message: Buffer;
    if (change.after === null) {
      message = Buffer.concat([Buffer.from([DELETE]), Buffer.from(encodeCursor(change.key))]);
    } else {
      message = Buffer.concat([Buffer.from([PUT]), Buffer.from(model.codec.encode(change.after).finish())]);
    }
    return this.client.publish(this.channel(model as ModelDescriptor<unknown>), message);
  }

  async close(): Promise<void> {
    const l = this.#listener;
    this.#listener = undefined;
    if (l !== undefined) l.disconnect();
  }

  #listening(): Redis {
    if (this.#listener !== undefined) return this.#listener;
    // Not ioredis's own resubscribe: it leaves its SUBSCRIBE's promise unhandled, so a connection
    // closing during it is an unhandled rejection (seen in CI when a store closed then).
    const l = this.client.duplicate({ autoResubscribe: false });
    l.on("error", () => undefined);
    l.on("ready", () => {
      if (!this.#connectedOnce) {
        this.#connectedOnce = true;
        return;
      }
      // Subscribe again, then re-read: what was published while the connection was down is gone.
      // A failure here means the connection dropped again; its next "ready" retries.
      const channels = [...this.#feeds].filter(([, f]) => f.subscribed !== undefined).map(([channel]) => channel);
      if (channels.length === 0) return;
      l.subscribe(...channels).then(
        () => {
          for (const f of this.#feeds.values()) f.local.resync();
        },
        () => undefined,
      );
    });
    l.on("messageBuffer", (channel: Buffer, message: Buffer) => this.#deliver(channel.toString(), message));
    this.#listener = l;
    return l;
  }

  #deliver(channel: string, message: Buffer): void {
    const f = this.#feeds.get(channel);
    if (f === undefined || message.length === 0) return;
    const plan = planOf(f.model);
    try {
      if (message[0] === PUT) {
        const after = f.model.codec.decode(message.subarray(1));
        f.local.emit({ key: keyValues(after, plan.key.map((p) => p.field)), after });
      } else if (message[0] === DELETE) {
        f.local.emit({ key: decodeCursor(plan.key, message.subarray(1).toString()), after: null });
      }
    } catch {
      // A message this version cannot read (another schema version): subscribers re-read instead.
      f.local.resync();
    }
  }
}

/** A subscribable model's table on redis: every write is published once it succeeded. */
export class PublishingTable<T> implements ModelTable<T> {
  readonly #keyOf: (record: T) => KeyValue[];

  constructor(
    private readonly inner: ModelTable<T>,
    private readonly model: ModelDescriptor<T>,
    private readonly feeds: RedisChangeFeeds,
  ) {
    const fields = planOf(model).key.map((p) => p.field);
    this.#keyOf = (record) => keyValues(record, fields);
  }

  #put(record: T): Promise<unknown> {
    return this.feeds.publish(this.model, { key: this.#keyOf(record), after: record });
  }

  get(key: readonly KeyValue[]): Promise<T | null> {
    return this.inner.get(key);
  }
  getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]> {
    return this.inner.getMany(keys);
  }
  exists(key: readonly KeyValue[]): Promise<boolean> {
    return this.inner.exists(key);
  }
  async insert(records: readonly T[]): Promise<void> {
    await this.inner.insert(records);
    await Promise.all(records.map((r) => this.#put(r)));
  }
  async save(record: T): Promise<void> {
    await this.inner.save(record);
    await this.#put(record);
  }
  async update(record: T): Promise<void> {
    await this.inner.update(record);
    await this.#put(record);
  }
  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const deleted = await this.inner.delete(key);
    if (deleted) await this.feeds.publish(this.model, { key, after: null });
    return deleted;
  }
  count(partition: readonly KeyValue[] | undefined): Promise<number> {
    return this.inner.count(partition);
  }
  list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    return this.inner.list(partition, page);
  }
  findUnique(index: string, values: readonly KeyValue[]): Promise<T | null> {
    return this.inner.findUnique(index, values);
  }
  findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>> {
    return this.inner.findMany(index, values, page);
  }
}
