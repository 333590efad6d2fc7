// Komoku's agent: put, get and subscribe to a key/value service over a WebSocket, that keeps
// working across disconnects. Puts made while disconnected are queued and sent in order on the
// next connection; subscriptions come back by themselves, and what they deliver after a
// reconnect is only what changed while away (compared with the values the agent last saw); a
// lazy get is answered from a subscription, with no query of its own; a subscriber callback
// that throws is reported and the subscription goes on. It runs over any client with the
// KvApi shape (examples.kv.Kv's generated KvClient has it); docs/streams.md.
import { ErrorCode, RonyError, type CallOptions } from "../rpc/index.js";
import type { ConnectionState } from "./ws-transport.js";

export interface KvEntryLike {
  readonly scope: string;
  readonly key: string;
  readonly value: Uint8Array;
  /** Bumped by each put; 0 for a missing entry. */
  readonly version: bigint;
}

export interface KvApi {
  put(input: { scope: string; key: string; value: Uint8Array }, options?: CallOptions): Promise<KvEntryLike>;
  get(input: { scope: string; key: string }, options?: CallOptions): Promise<KvEntryLike>;
  /** Current value(s), then each change; key "" watches the scope. */
  watch(input: { scope: string; key: string }, options?: CallOptions): AsyncIterable<{ value?: KvEntryLike | undefined; previous?: KvEntryLike | undefined }>;
}

/** The connection the agent follows (WebSocketTransport). */
export interface KvConnection {
  readonly state: ConnectionState;
  /** Connects if idle. */
  connect(): Promise<void>;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

/** What a subscriber is told: a key's new value (null: gone) and the value before (null: new). */
export interface KvUpdate {
  readonly scope: string;
  readonly key: string;
  readonly value: Uint8Array | null;
  readonly previous: Uint8Array | null;
}

export interface KvAgentOptions {
  /** Told when a subscriber callback throws (the subscription goes on); default console.error. */
  onCallbackError?: (error: unknown, update: KvUpdate) => void;
  /** Pause before re-subscribing after a stream failed while connected; default 100 ms. */
  retryMs?: number;
}

interface Watch {
  readonly scope: string;
  readonly key: string;
  readonly listeners: Set<(u: KvUpdate) => void>;
  /** What this watch last told its listeners, per key (undefined: missing). */
  readonly seen: Map<string, KvEntryLike | undefined>;
  readonly abort: AbortController;
  /** Resolves once the first value(s) arrived (lazy gets wait for it). */
  readonly ready: Promise<void>;
  markReady: () => void;
}

const slot = (scope: string, key: string) => `${scope}\u0000${key}`;

function sameEntry(a: KvEntryLike | undefined, b: KvEntryLike | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.version !== b.version || a.value.length !== b.value.length) return false;
  return a.value.every((x, i) => x === b.value[i]);
}

export class KvAgent {
  /** Last value seen per key, from subscriptions; undefined entry = known missing. */
  readonly #cache = new Map<string, KvEntryLike | undefined>();
  readonly #watches = new Map<string, Watch>();
  readonly #queued: { run: () => Promise<unknown>; settle: (p: Promise<unknown>) => void }[] = [];
  readonly #unlisten: () => void;
  #closed = false;
  #flushing = false;

  constructor(
    readonly api: KvApi,
    readonly connection: KvConnection,
    readonly options: KvAgentOptions = {},
  ) {
    this.#unlisten = connection.onStateChange((s) => {
      if (s === "open") void this.#flush();
    });
  }

  /** The operations of one scope, without repeating its name. */
  scope(scope: string) {
    return {
      put: (key: string, value: Uint8Array) => this.put(scope, key, value),
      get: (key: string) => this.get(scope, key),
      lazyGet: (key: string) => this.lazyGet(scope, key),
      subscribe: (key: string | undefined, listener: (u: KvUpdate) => void) => this.subscribe(scope, key, listener),
    };
  }

  /** Sends now when connected; otherwise queued, and sent in order once the connection is back. */
  put(scope: string, key: string, value: Uint8Array): Promise<KvEntryLike> {
    const run = () => this.api.put({ scope, key, value });
    if (this.#closed) return Promise.reject(new RonyError(ErrorCode.CANCELLED, "the agent is closed"));
    if (this.connection.state === "open" && this.#queued.length === 0) return run();
    if (this.connection.state === "idle") this.connection.connect().catch(() => {});
    return new Promise<KvEntryLike>((resolve, reject) => {
      this.#queued.push({ run, settle: (p) => p.then((v) => resolve(v as KvEntryLike), reject) });
    });
  }

  /** Puts waiting for a connection. */
  get queuedPuts(): number {
    return this.#queued.length;
  }

  /** Asks the server (one query); null for a missing key. */
  async get(scope: string, key: string): Promise<Uint8Array | null> {
    const e = await this.api.get({ scope, key });
    return e.version === 0n ? null : e.value;
  }

  /**
   * The value from a subscription of the key: the first call subscribes (the subscription's first
   * delivery is the answer) and the agent keeps it, so later calls ask the server nothing.
   */
  async lazyGet(scope: string, key: string): Promise<Uint8Array | null> {
    const watch = this.#watch(scope, key);
    await watch.ready;
    return this.#cache.get(slot(scope, key))?.value ?? null;
  }

  /** `listener` gets the current value(s) first, then each change; key undefined: the whole scope. Returns the unsubscribe. */
  subscribe(scope: string, key: string | undefined, listener: (u: KvUpdate) => void): () => void {
    const watch = this.#watch(scope, key ?? "");
    watch.listeners.add(listener);
    // A late subscriber of a running watch is told the values it already holds.
    for (const [k, entry] of watch.seen) this.#tell(listener, { scope, key: k, value: entry?.value ?? null, previous: null });
    return () => {
      watch.listeners.delete(listener);
    };
  }

  /** Stops every subscription; queued puts fail with CANCELLED. */
  close(): void {
    this.#closed = true;
    this.#unlisten();
    for (const w of this.#watches.values()) w.abort.abort();
    this.#watches.clear();
    for (const q of this.#queued.splice(0)) q.settle(Promise.reject(new RonyError(ErrorCode.CANCELLED, "the agent is closed")));
  }

  async #flush(): Promise<void> {
    if (this.#flushing) return;
    this.#flushing = true;
    try {
      while (this.#queued.length > 0 && this.connection.state === "open") {
        const q = this.#queued[0]!;
        const p = q.run();
        try {
          await p;
        } catch (e) {
          // Lost the connection again before it was answered: it stays first in line.
          if (RonyError.is(e, ErrorCode.UNAVAILABLE) && this.connection.state !== "open") break;
        }
        this.#queued.shift();
        q.settle(p);
      }
    } finally {
      this.#flushing = false;
    }
  }

  #watch(scope: string, key: string): Watch {
    const id = slot(scope, key);
    let w = this.#watches.get(id);
    if (w !== undefined) return w;
    let markReady!: () => void;
    const ready = new Promise<void>((r) => (markReady = r));
    w = { scope, key, listeners: new Set(), seen: new Map(), abort: new AbortController(), ready, markReady };
    this.#watches.set(id, w);
    void this.#run(w);
    return w;
  }

  /** One watch for as long as the agent lives: re-opened after every failure. */
  async #run(w: Watch): Promise<void> {
    while (!w.abort.signal.aborted) {
      try {
        for await (const change of this.api.watch({ scope: w.scope, key: w.key }, { signal: w.abort.signal })) {
          this.#apply(w, change.value, change.previous);
        }
      } catch {
        // The connection dropped or the server went away: re-subscribe below.
      }
      if (w.abort.signal.aborted || this.connection.state === "closed") return;
      await this.#reconnected();
    }
  }

  #apply(w: Watch, value: KvEntryLike | undefined, previous: KvEntryLike | undefined): void {
    // Watching one key that does not exist, both are absent: its value is "missing".
    const key = (value ?? previous)?.key ?? w.key;
    const known = w.seen.has(key);
    const before = w.seen.get(key);
    this.#cache.set(slot(w.scope, key), value);
    w.markReady();
    // After a re-subscription the first values repeat what this watch told: only news is told.
    if (known && sameEntry(before, value)) return;
    w.seen.set(key, value);
    const update: KvUpdate = { scope: w.scope, key, value: value?.value ?? null, previous: before?.value ?? null };
    for (const l of w.listeners) this.#tell(l, update);
  }

  #tell(listener: (u: KvUpdate) => void, update: KvUpdate): void {
    try {
      listener(update);
    } catch (e) {
      (this.options.onCallbackError ?? ((err) => console.error("rony-ts KvAgent: a subscriber threw", err)))(e, update);
    }
  }

  /** Resolves once connected again (or after a short pause when still connected). */
  #reconnected(): Promise<void> {
    return new Promise((resolve) => {
      if (this.connection.state === "open" || this.connection.state === "closed") {
        setTimeout(resolve, this.options.retryMs ?? 100);
        return;
      }
      const off = this.connection.onStateChange((s) => {
        if (s === "open" || s === "closed") {
          off();
          resolve();
        }
      });
    });
  }
}
