// The registry on Redis. Each announced node is one key holding its (signed) entry with a TTL,
// renewed by heartbeats; a set indexes the ids. A change is published on a channel at once;
// every reader also re-reads the whole index every refreshMs. A node that dies stops renewing its
// key, so it leaves every view at most ttlMs + refreshMs after its last heartbeat.
//
//   <prefix>:node:<id>   entry (see entry.ts), PX ttlMs
//   <prefix>:nodes       set of ids
//   <prefix>:changes     channel; each message is the id of a node that changed
//
// While Redis is unreachable every view is kept as it was (errors go to onError as UNAVAILABLE):
// callers keep calling the instances they know, and fail over on their own when one dies.
import type { Redis } from "ioredis";
import { connectClient, createClient, type RedisAddress } from "../redis/connections/clients.js";
import { decodeEntry, encodeEntry, validateAnnouncement } from "./entry.js";
import { RegistryError } from "./errors.js";
import type { Announcement, NodeAnnouncement, Registry, RegistryListener } from "./types.js";
import { RegistryView } from "./view.js";

export interface RedisRegistryOptions {
  redis: RedisAddress;
  /** Key prefix: registries with different prefixes never see each other. Default "rony:registry". */
  prefix?: string;
  /** How long an entry lives without a heartbeat; default 3000 ms. */
  ttlMs?: number;
  /** Time between heartbeats; default ttlMs / 3. */
  heartbeatMs?: number;
  /** Time between full re-reads of the index; default 1000 ms. */
  refreshMs?: number;
  /** Cluster secret: entries are HMAC-signed with it, and entries not signed with it are refused. */
  secret?: string;
  /** Reject a Redis command after this long; default 1000 ms. */
  commandTimeoutMs?: number;
}

// Drops an id from the index only if its key is really gone: a heartbeat may have re-created it
// between our MGET and this call.
const DROP_IF_GONE = "if redis.call('EXISTS', KEYS[1]) == 0 then return redis.call('SREM', KEYS[2], ARGV[1]) end return 0";

export class RedisRegistry implements Registry {
  readonly #view = new RegistryView();
  readonly #mine = new Map<string, string>();
  readonly #options: Required<Omit<RedisRegistryOptions, "secret">> & { secret: string | undefined };
  readonly #client: Redis;
  readonly #subscriber: Redis;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #refresh: ReturnType<typeof setInterval> | undefined;
  #closed = false;
  /** Set once the first SUBSCRIBE succeeded: from then on every reconnect subscribes again. */
  #subscribed = false;
  onError: (error: RegistryError) => void = (e) => console.warn(`rony-ts registry: ${e.message}`);

  constructor(options: RedisRegistryOptions) {
    const ttlMs = options.ttlMs ?? 3_000;
    this.#options = {
      redis: options.redis,
      prefix: options.prefix ?? "rony:registry",
      ttlMs,
      heartbeatMs: options.heartbeatMs ?? Math.max(1, Math.floor(ttlMs / 3)),
      refreshMs: options.refreshMs ?? 1_000,
      secret: options.secret,
      commandTimeoutMs: options.commandTimeoutMs ?? 1_000,
    };
    // No offline queue: while Redis is down a command fails at once instead of waiting.
    const tuning = { commandTimeoutMs: this.#options.commandTimeoutMs, connectTimeoutMs: 1_000 };
    this.#client = createClient(options.redis, tuning, { enableOfflineQueue: false });
    // Subscribed again by us on reconnect, not by ioredis, whose resubscribe leaves its promise
    // unhandled (a close during it would be an unhandled rejection). A failed one is retried at
    // the next reconnect; the periodic refresh keeps the view meanwhile.
    this.#subscriber = createClient(options.redis, tuning, { enableOfflineQueue: false, autoResubscribe: false });
    this.#subscriber.on("message", (_channel: string, id: string) => void this.#reread(id));
    this.#subscriber.on("ready", () => {
      if (this.#subscribed) this.#subscriber.subscribe(this.#channel).catch((e: unknown) => this.#unavailable(e, "subscribing to changes"));
    });
    // A reconnected Redis may have lost every key (a restart): renew ours at once.
    this.#client.on("ready", () => void this.#beat());
  }

  /** How long after its last heartbeat a dead node may still be in a view. */
  get deadNodeBoundMs(): number {
    return this.#options.ttlMs + this.#options.refreshMs;
  }

  #key(id: string): string {
    return `${this.#options.prefix}:node:${id}`;
  }

  get #index(): string {
    return `${this.#options.prefix}:nodes`;
  }

  get #channel(): string {
    return `${this.#options.prefix}:changes`;
  }

  #unavailable(e: unknown, doing: string): void {
    if (this.#closed) return;
    this.onError(new RegistryError("UNAVAILABLE", `${doing} on Redis ${this.#options.redis.host}:${this.#options.redis.port}: ${(e as Error).message}`));
  }

  async start(): Promise<void> {
    const where = { keepRetrying: true };
    try {
      await connectClient(this.#client, "registry", this.#options.redis, where);
      await connectClient(this.#subscriber, "registry", this.#options.redis, where);
      await this.#subscriber.subscribe(this.#channel);
      this.#subscribed = true;
      await this.refresh();
    } catch (e) {
      // No reconnect loop left behind: a registry that did not start is dropped by its caller.
      this.#client.disconnect();
      this.#subscriber.disconnect();
      throw new RegistryError("UNAVAILABLE", `cannot start the registry on Redis ${this.#options.redis.host}:${this.#options.redis.port}: ${(e as Error).message}`);
    }
    this.#refresh = setInterval(() => void this.refresh().catch((e) => this.#unavailable(e, "refreshing the view")), this.#options.refreshMs);
    this.#heartbeat = setInterval(() => void this.#beat(), this.#options.heartbeatMs);
  }

  async announce(node: Announcement): Promise<void> {
    const valid = validateAnnouncement(node);
    const entry = encodeEntry(valid, this.#options.secret);
    this.#mine.set(node.id, entry);
    this.#view.put(valid);
    try {
      await this.#write(node.id, entry);
      await this.#client.publish(this.#channel, node.id);
    } catch (e) {
      throw new RegistryError("UNAVAILABLE", `cannot announce ${node.id}: ${(e as Error).message}`, node.id);
    }
  }

  async withdraw(id: string): Promise<void> {
    this.#mine.delete(id);
    this.#view.remove(id);
    try {
      await this.#client.multi().del(this.#key(id)).srem(this.#index, id).publish(this.#channel, id).exec();
    } catch (e) {
      throw new RegistryError("UNAVAILABLE", `cannot withdraw ${id}: ${(e as Error).message}`, id);
    }
  }

  nodes(): ReadonlyMap<string, NodeAnnouncement> {
    return this.#view.nodes;
  }

  watch(listener: RegistryListener): () => void {
    return this.#view.watch(listener);
  }

  /** Re-reads every entry (the timer does this every refreshMs). Rejects when Redis is down. */
  async refresh(): Promise<void> {
    const ids = await this.#client.smembers(this.#index);
    const entries = ids.length === 0 ? [] : await this.#client.mget(ids.map((id) => this.#key(id)));
    const next = new Map<string, NodeAnnouncement>();
    const refused = new Set<string>();
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const text = entries[i];
      if (text === null || text === undefined) {
        if (!this.#mine.has(id)) void this.#client.eval(DROP_IF_GONE, 2, this.#key(id), this.#index, id).catch(() => undefined);
        continue;
      }
      const node = this.#decode(text, id);
      if (node === undefined) refused.add(id);
      else next.set(id, node);
    }
    // Our own nodes stay in our view even in the instant between a Redis restart and our heartbeat.
    for (const id of this.#mine.keys()) if (!next.has(id) && this.#view.nodes.has(id)) next.set(id, this.#view.nodes.get(id)!);
    this.#view.replaceAll(next, refused);
  }

  /** Refused entries never change the view. */
  #decode(text: string, id: string): NodeAnnouncement | undefined {
    try {
      return decodeEntry(text, this.#options.secret, id);
    } catch (e) {
      if (RegistryError.is(e)) this.onError(e);
      else throw e;
      return undefined;
    }
  }

  async #reread(id: string): Promise<void> {
    let text: string | null;
    try {
      text = await this.#client.get(this.#key(id));
    } catch (e) {
      this.#unavailable(e, `reading ${id}`);
      return;
    }
    if (text === null) {
      if (!this.#mine.has(id)) this.#view.remove(id);
      return;
    }
    const node = this.#decode(text, id);
    if (node !== undefined) this.#view.put(node);
  }

  async #write(id: string, entry: string): Promise<void> {
    await this.#client.multi().set(this.#key(id), entry, "PX", this.#options.ttlMs).sadd(this.#index, id).exec();
  }

  async #beat(): Promise<void> {
    for (const [id, entry] of this.#mine) {
      try {
        await this.#write(id, entry);
      } catch (e) {
        this.#unavailable(e, `renewing ${id}`);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    clearInterval(this.#refresh);
    for (const id of [...this.#mine.keys()]) await this.withdraw(id).catch(() => undefined);
    this.#closed = true;
    this.#client.disconnect();
    this.#subscriber.disconnect();
  }
}
