// A Transport over the nodes of a replica set or a sharded cluster: calls go to one node (WebSocket
// or HTTP), follow Redirects to the node they name (bounded), and move to another node when theirs
// is down. A call whose outcome is unknown (the node died mid-call) is retried only when that is
// safe: read-only rpcs, and rpcs of replicated and sharded services, whose retries carry the same
// session number and are run at most once by the replica set (docs/cluster.md).
// With slotRouting, a sharded call goes straight to a node of the replica set owning its slot,
// from a slot map learned from a node and corrected by WRONG_SHARD redirects.
import {
  CLIENT_HEADER,
  ErrorCode,
  RedirectError,
  RedirectReason,
  RonyError,
  SEQ_HEADER,
  slotOf,
  type AnyMethod,
  type CallOptions,
  type MethodDescriptor,
  type Transport,
} from "../rpc/index.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { HttpTransport } from "./http-transport.js";
import { SHARD_REDIRECT_HEADER, SLOT_MAP, type SlotMapReply } from "./slot-map-rpc.js";
import { SlotRoutes } from "./slot-routes.js";
import type { WebSocketConstructor } from "./websocket-like.js";
import { WebSocketTransport } from "./ws-transport.js";

export interface ClusterTransportOptions {
  /** "ws" (default): WebSocket URLs such as ws://host:port/ws; "http": base URLs, envelopes to /rpc. */
  protocol?: "ws" | "http";
  /** Deadline of a call across its redirects and retries, when neither the call nor the rpc sets one; default 10 s. */
  timeoutMs?: number;
  /** Redirects one call may follow; default 5. */
  maxRedirects?: number;
  /** Pause between retries on another node; default 50 ms → 1 s. */
  retryBackoff?: Partial<BackoffOptions>;
  headers?: Record<string, string>;
  /**
   * Sharded calls go straight to the owner of their slot: the slot map is learned from a node
   * (rony.cluster.Slots.Map) before the first sharded call and corrected by WRONG_SHARD redirects
   * (nodes are asked to redirect such a client rather than forward). Default false.
   */
  slotRouting?: boolean;
  /** A slot map to start from instead of asking a node (slotRouting). */
  slotMap?: SlotMapReply;
  WebSocket?: WebSocketConstructor;
  fetch?: typeof fetch;
}

export class ClusterTransport implements Transport {
  /** This client's session on the replica set: retries of one call are recognised by it and their number. */
  readonly clientId: string;
  readonly #options: ClusterTransportOptions;
  readonly #urls: string[];
  readonly #nodes = new Map<string, WebSocketTransport | HttpTransport>();
  readonly #backoff: BackoffOptions;
  readonly #routes: SlotRoutes | undefined;
  #learning: Promise<void> | undefined;
  #current = 0;
  #seq = 0;
  #closed = false;

  constructor(urls: readonly string[], options: ClusterTransportOptions = {}) {
    if (urls.length === 0) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "a ClusterTransport needs at least one node address");
    this.#urls = [...urls];
    this.#options = options;
    this.#backoff = { initialMs: 50, maxMs: 1000, factor: 2, jitter: 0.2, ...options.retryBackoff };
    if (options.slotRouting === true) {
      this.#routes = new SlotRoutes(options.protocol === "http" ? "http" : "ws");
      if (options.slotMap !== undefined) this.#routes.learn(options.slotMap);
    }
    const id = new Uint8Array(16);
    globalThis.crypto.getRandomValues(id);
    this.clientId = Array.from(id, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The node calls go to now. */
  get currentUrl(): string {
    return this.#urls[this.#current]!;
  }

  async call<I, O>(method: MethodDescriptor<I, O>, input: I, options: CallOptions = {}): Promise<O> {
    if (this.#closed) throw new RonyError(ErrorCode.CANCELLED, "the client is closed");
    const deadline = Date.now() + (options.timeoutMs ?? (method.timeoutMs || (this.#options.timeoutMs ?? 10_000)));
    const headers: Record<string, string> = { ...this.#options.headers, ...options.headers };
    const replicated = method.replication === "raft" || method.replication === "sharded";
    if (replicated && !method.readOnly) {
      headers[CLIENT_HEADER] = this.clientId;
      headers[SEQ_HEADER] = String(++this.#seq);
    }
    const retrySafe = method.readOnly || replicated;
    const routes = method.replication === "sharded" && method.shardKey !== undefined ? this.#routes : undefined;
    const slot = routes === undefined ? undefined : slotOf(method.shardKey!(input));
    if (routes !== undefined) {
      headers[SHARD_REDIRECT_HEADER] = "1";
      if (!routes.known) await this.#learnSlotMap(deadline);
    }
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      const timeoutMs = deadline - Date.now();
      if (timeoutMs <= 0) throw new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} got no answer from the cluster in time`);
      const owner = slot === undefined ? undefined : routes!.ownerOf(slot);
      const url = (owner === undefined ? undefined : routes!.urlsOf(owner)[0]) ?? this.currentUrl;
      try {
        return await this.#node(url).call(method, input, { ...options, headers, timeoutMs });
      } catch (e) {
        if (e instanceof RedirectError) {
          if (++redirects > (this.#options.maxRedirects ?? 5)) throw e;
          if (e.reason === RedirectReason.WRONG_SHARD && slot !== undefined) {
            // The map was stale: take the owner the node named for this slot, and relearn the rest.
            if (routes!.learnRedirect(slot, e) === undefined) throw e;
            void this.#learnSlotMap(deadline).catch(() => undefined);
          } else {
            const target = this.#follow(e, method);
            if (owner !== undefined) routes!.prefer(owner, target);
          }
          continue;
        }
        if (!retrySafe || !RonyError.is(e, ErrorCode.UNAVAILABLE) || options.signal?.aborted) throw e;
        // The node is down, lost its leader or dropped the call: try the next one.
        if (owner !== undefined && routes!.urlsOf(owner).length > 1) routes!.demote(owner, url);
        else this.#current = (this.#current + 1) % this.#urls.length;
        await sleep(Math.min(backoffDelay(attempt++, this.#backoff), Math.max(0, deadline - Date.now())));
      }
    }
  }

  /** The replica set owning `slot` in the slot map this client learned (slotRouting), if known. */
  ownerOf(slot: number): number | undefined {
    return this.#routes?.ownerOf(slot);
  }

  /** Asks a node for the slot map now (slotRouting); one request at a time. */
  refreshSlotMap(timeoutMs = this.#options.timeoutMs ?? 10_000): Promise<void> {
    return this.#learnSlotMap(Date.now() + timeoutMs);
  }

  #learnSlotMap(deadline: number): Promise<void> {
    const routes = this.#routes;
    if (routes === undefined) return Promise.reject(new RonyError(ErrorCode.FAILED_PRECONDITION, "slotRouting is off"));
    this.#learning ??= this.#node(this.currentUrl)
      .call(SLOT_MAP, {}, { timeoutMs: Math.max(1, deadline - Date.now()) })
      .then((map) => routes.learn(map))
      // Without a map the call goes to the current node, which forwards or redirects it.
      .catch(() => undefined)
      .finally(() => {
        this.#learning = undefined;
      });
    return this.#learning;
  }

  close(): void {
    this.#closed = true;
    for (const node of this.#nodes.values()) if (node instanceof WebSocketTransport) node.close();
    this.#nodes.clear();
  }

  /** Makes the redirect's target the current node; returns its URL. */
  #follow(redirect: RedirectError, method: AnyMethod): string {
    const wanted = this.#options.protocol === "http" ? "http" : "ws";
    const target = redirect.targets.flatMap((t) => t.addresses).find((a) => a.startsWith(`${wanted}:`) || a.startsWith(`${wanted}s:`));
    if (target === undefined) throw new RonyError(ErrorCode.UNAVAILABLE, `${method.name} was redirected to no ${wanted} address`);
    let at = this.#urls.indexOf(target);
    if (at < 0) at = this.#urls.push(target) - 1;
    this.#current = at;
    return target;
  }

  #node(url: string): WebSocketTransport | HttpTransport {
    let node = this.#nodes.get(url);
    if (node instanceof WebSocketTransport && node.state === "closed") node = undefined;
    if (node === undefined) {
      node =
        this.#options.protocol === "http"
          ? new HttpTransport(url, { fetch: this.#options.fetch })
          : new WebSocketTransport(url, { reconnect: false, WebSocket: this.#options.WebSocket });
      this.#nodes.set(url, node);
    }
    return node;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
