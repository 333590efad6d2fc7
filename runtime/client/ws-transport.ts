// A Transport over one WebSocket: request ids, per-call timeouts, reconnect with backoff,
// server pushes. Calls made while disconnected wait (up to their timeout) for the next
// connection; calls already sent when the connection drops fail with UNAVAILABLE at once,
// because the client cannot know whether the server ran them.
import {
  DEFAULT_STREAM_WINDOW,
  ErrorCode,
  NO_HEADERS,
  RPC_ERROR_ID,
  RonyError,
  decodeEnvelope,
  decodeRpcError,
  encodeEnvelope,
  rpcErrorFromJson,
  type AnyMethod,
  type CallOptions,
  type Envelope,
  type MessageCodec,
  type MethodDescriptor,
  type StreamInputs,
  type Transport,
} from "../rpc/index.js";
import { backoffDelay, defaultBackoff, type BackoffOptions } from "./backoff.js";
import { readReply } from "./reply.js";
import { ClientStream, type StreamLink } from "./ws-stream.js";
import { defaultWebSocket, type WebSocketConstructor, type WebSocketLike } from "./websocket-like.js";

export interface WebSocketTransportOptions {
  /** Defaults to the global WebSocket, or `ws` in Node without one. */
  WebSocket?: WebSocketConstructor;
  /** Per-call deadline when neither the call nor the rpc sets one; default 10 s. */
  timeoutMs?: number;
  /** Headers sent with every call (a call's own headers win). */
  headers?: Record<string, string>;
  /** false disables reconnecting; default backoff 100 ms → 5 s. */
  reconnect?: Partial<BackoffOptions> | false;
  /** Outputs a stream may have in flight to this client before it reads more; default 256. */
  streamWindow?: number;
  /**
   * The largest request frame the server takes (its maxPayloadBytes): a call over it fails alone
   * with RESOURCE_EXHAUSTED instead of being sent, which would close the connection (1009) under
   * every call in flight on it. Default: no check.
   */
  maxFrameBytes?: number;
}

export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

interface PendingCall {
  /** The rpc called, or undefined for a pattern call (a JSON text frame, answered in JSON). */
  readonly method: AnyMethod | undefined;
  /** What the caller called, for error messages: the rpc's name or the pattern. */
  readonly name: string;
  readonly frame: Uint8Array | string;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: RonyError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  sent: boolean;
  cleanup: (() => void) | undefined;
}

type PushHandler = (envelope: Envelope) => void;

export class WebSocketTransport implements Transport {
  readonly url: string;
  readonly #options: WebSocketTransportOptions;
  readonly #backoff: BackoffOptions | undefined;
  readonly #pending = new Map<number, PendingCall>();
  readonly #push = new Map<number, Set<PushHandler>>();
  readonly #streams = new Map<number, ClientStream<never, never>>();
  readonly #link: StreamLink;
  readonly #stateListeners = new Set<(state: ConnectionState) => void>();
  #socket: WebSocketLike | undefined;
  #state: ConnectionState = "idle";
  #nextId = 1;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #errorListener: ((error: RonyError) => void) | undefined;

  constructor(url: string, options: WebSocketTransportOptions = {}) {
    this.url = url;
    this.#options = options;
    this.#backoff = options.reconnect === false ? undefined : { ...defaultBackoff, ...options.reconnect };
    this.#link = {
      send: (frame) => {
        if (this.#state !== "open") return false;
        this.#socket!.send(frame);
        return true;
      },
      connected: () => this.connect(),
      register: (stream) => {
        const id = this.#takeId();
        this.#streams.set(id, stream);
        return id;
      },
      forget: (id) => this.#streams.delete(id),
    };
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#streams.size;
  }

  /**
   * A streaming call (docs/streams.md); it opens when first iterated and waits for a connection
   * like calls do. Deadlines apply only when the call or the rpc sets one: streams may be endless.
   */
  stream<I, O>(method: MethodDescriptor<I, O>, inputs: StreamInputs<I>, options: CallOptions = {}): AsyncIterable<O> {
    const headers = this.#options.headers === undefined && options.headers === undefined ? undefined : { ...this.#options.headers, ...options.headers };
    return new ClientStream(this.#link, method, inputs, options, headers, this.#options.streamWindow ?? DEFAULT_STREAM_WINDOW);
  }

  #takeId(): number {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    return id;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Calls sent or waiting for a connection. */
  get pendingCalls(): number {
    return this.#pending.size;
  }

  /** Listens to connection state changes ("open" again after a reconnect is where to re-subscribe). */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Server pushes (request id 0) of one message kind. Returns an unsubscribe function. */
  onPush<T>(constructorId: number, codec: MessageCodec<T>, handler: (message: T) => void): () => void {
    const wrapped: PushHandler = (env) => handler(codec.decode(env.payload));
    let set = this.#push.get(constructorId);
    if (set === undefined) this.#push.set(constructorId, (set = new Set()));
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Errors the server sent without a request id (e.g. about a malformed frame). */
  onServerError(listener: (error: RonyError) => void): void {
    this.#errorListener = listener;
  }

  /** Connects now instead of on the first call; resolves once open. */
  connect(): Promise<void> {
    if (this.#state === "open") return Promise.resolve();
    if (this.#state === "closed") return Promise.reject(new RonyError(ErrorCode.CANCELLED, "the client is closed"));
    return new Promise((resolve, reject) => {
      const off = this.onStateChange((s) => {
        if (s === "open") {
          off();
          resolve();
        } else if (s === "closed") {
          off();
          reject(new RonyError(ErrorCode.UNAVAILABLE, `cannot connect to ${this.url}`));
        }
      });
      if (this.#state === "idle") this.#open();
    });
  }

  call<I, O>(method: MethodDescriptor<I, O>, input: I, options: CallOptions = {}): Promise<O> {
    if (this.#state === "closed") return Promise.reject(new RonyError(ErrorCode.CANCELLED, "the client is closed"));
    if (options.signal?.aborted) return Promise.reject(new RonyError(ErrorCode.CANCELLED, "aborted"));
    const requestId = this.#takeId();
    const headers = this.#options.headers === undefined && options.headers === undefined ? NO_HEADERS : { ...this.#options.headers, ...options.headers };
    const frame = encodeEnvelope({
      constructorId: method.constructorId,
      requestId,
      payload: method.input.encode(input).finish(),
      headers: headers as Record<string, string>,
    });
    const max = this.#options.maxFrameBytes;
    if (max !== undefined && frame.length > max) {
      return Promise.reject(new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `${method.name}'s request is ${frame.length} bytes, over the ${max} bytes ${this.url} takes`));
    }
    const timeoutMs = options.timeoutMs ?? (method.timeoutMs || (this.#options.timeoutMs ?? 10_000));
    return this.#send<O>(requestId, method, method.name, frame, timeoutMs, options.signal);
  }

  /**
   * A go-nano pattern call: `act("role:math,cmd:positive", { Value: 1 })` sends the message as a
   * JSON text frame and resolves with the handler's JSON output (docs/patterns.md).
   */
  act(pattern: string, payload: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    if (this.#state === "closed") return Promise.reject(new RonyError(ErrorCode.CANCELLED, "the client is closed"));
    if (options.signal?.aborted) return Promise.reject(new RonyError(ErrorCode.CANCELLED, "aborted"));
    const requestId = this.#nextId;
    this.#nextId = this.#nextId >= 0xffffffff ? 1 : this.#nextId + 1;
    const headers = { ...this.#options.headers, ...options.headers };
    const frame = JSON.stringify({ ...payload, Pattern: pattern, requestId, headers });
    return this.#send(requestId, undefined, pattern, frame, options.timeoutMs ?? this.#options.timeoutMs ?? 10_000, options.signal);
  }

  #send<O>(requestId: number, method: AnyMethod | undefined, name: string, frame: Uint8Array | string, timeoutMs: number, signal: AbortSignal | undefined): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const call: PendingCall = { method, name, frame, resolve: resolve as (v: unknown) => void, reject, timer: undefined, sent: false, cleanup: undefined };
      call.timer = setTimeout(() => this.#fail(requestId, new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${name} got no reply in ${timeoutMs} ms`)), timeoutMs);
      if (signal !== undefined) {
        const onAbort = () => this.#fail(requestId, new RonyError(ErrorCode.CANCELLED, "aborted"));
        signal.addEventListener("abort", onAbort, { once: true });
        call.cleanup = () => signal.removeEventListener("abort", onAbort);
      }
      this.#pending.set(requestId, call);
      if (this.#state === "open") {
        this.#socket!.send(frame);
        call.sent = true;
      } else if (this.#state === "idle") {
        this.#open();
      }
    });
  }

  /** Stops reconnecting, fails every pending call with CANCELLED and closes the socket. */
  close(): void {
    if (this.#state === "closed") return;
    clearTimeout(this.#retryTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    this.#setState("closed");
    for (const id of [...this.#pending.keys()]) this.#fail(id, new RonyError(ErrorCode.CANCELLED, "the client was closed"));
    for (const s of [...this.#streams.values()]) s.lost(new RonyError(ErrorCode.CANCELLED, "the client was closed"));
    socket?.close(1000, "client closed");
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    for (const l of [...this.#stateListeners]) l(state);
  }

  #fail(requestId: number, error: RonyError): void {
    const call = this.#pending.get(requestId);
    if (call === undefined) return;
    this.#pending.delete(requestId);
    clearTimeout(call.timer);
    call.cleanup?.();
    call.reject(error);
  }

  #open(): void {
    if (this.#state !== "reconnecting") this.#setState("connecting");
    const ctor = this.#options.WebSocket;
    if (ctor !== undefined) {
      this.#attach(ctor);
      return;
    }
    defaultWebSocket().then(
      (c) => this.#attach(c),
      () => this.#connectionLost(),
    );
  }

  #attach(ctor: WebSocketConstructor): void {
    if (this.#state === "closed") return;
    let socket: WebSocketLike;
    try {
      socket = new ctor(this.url);
    } catch {
      this.#connectionLost();
      return;
    }
    socket.binaryType = "arraybuffer";
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#attempt = 0;
      this.#setState("open");
      for (const call of this.#pending.values()) {
        if (!call.sent) {
          socket.send(call.frame);
          call.sent = true;
        }
      }
    };
    socket.onmessage = (event) => {
      if (this.#socket === socket) this.#receive(event.data);
    };
    socket.onclose = () => {
      if (this.#socket === socket) this.#connectionLost();
    };
    socket.onerror = () => {
      // A close event follows; nothing to do here but keep the error from being unhandled.
    };
  }

  #receive(data: unknown): void {
    if (typeof data === "string") {
      this.#receiveText(data);
      return;
    }
    if (!(data instanceof ArrayBuffer)) return;
    let env: Envelope;
    try {
      env = decodeEnvelope(new Uint8Array(data));
    } catch {
      return;
    }
    if (env.requestId === 0) {
      if (env.constructorId === RPC_ERROR_ID) this.#errorListener?.(decodeRpcError(env.payload));
      const handlers = this.#push.get(env.constructorId);
      if (handlers !== undefined) for (const h of handlers) h(env);
      return;
    }
    const call = this.#pending.get(env.requestId);
    if (call === undefined) {
      this.#streams.get(env.requestId)?.receive(env.constructorId, env.payload);
      return; // else timed out or cancelled already
    }
    this.#pending.delete(env.requestId);
    clearTimeout(call.timer);
    call.cleanup?.();
    try {
      call.resolve(readReply(call.method!, env));
    } catch (e) {
      call.reject(e as RonyError);
    }
  }

  /** Text frames answer pattern calls: {"requestId":1,"output":…} or {"requestId":1,"error":{…}}. */
  #receiveText(text: string): void {
    let reply: { requestId?: unknown; output?: unknown; error?: unknown };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      return;
    }
    if (typeof reply !== "object" || reply === null || typeof reply.requestId !== "number") return;
    const call = this.#pending.get(reply.requestId);
    if (call === undefined || call.method !== undefined) return;
    this.#pending.delete(reply.requestId);
    clearTimeout(call.timer);
    call.cleanup?.();
    if (reply.error !== undefined) call.reject(rpcErrorFromJson(reply.error));
    else call.resolve(reply.output);
  }

  #connectionLost(): void {
    this.#socket = undefined;
    if (this.#state === "closed") return;
    for (const [id, call] of [...this.#pending]) {
      if (call.sent) this.#fail(id, new RonyError(ErrorCode.UNAVAILABLE, `connection to ${this.url} lost before ${call.name} was answered`));
    }
    for (const s of [...this.#streams.values()]) s.lost(new RonyError(ErrorCode.UNAVAILABLE, `connection to ${this.url} lost during a stream`));
    if (this.#backoff === undefined) {
      this.#setState("closed");
      for (const id of [...this.#pending.keys()]) this.#fail(id, new RonyError(ErrorCode.UNAVAILABLE, `not connected to ${this.url}`));
      return;
    }
    this.#setState("reconnecting");
    const delay = backoffDelay(this.#attempt++, this.#backoff);
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }
}
