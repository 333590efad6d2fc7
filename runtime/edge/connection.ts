// One WebSocket client: its limits, its pushes, its state. Lives in the uWS socket's user data.
import type { WebSocket } from "uWebSockets.js";
import { encodeEnvelope, ErrorCode, NO_HEADERS, RonyError, type MessageCodec } from "../rpc/index.js";
import type { Peer } from "./peer.js";

/** What uWS keeps per socket (getUserData()). */
export interface SocketData<Auth> {
  readonly conn: EdgeConnection<Auth>;
}

/** What a connection knows of its open streams (runtime/edge/edge-stream.ts). */
export interface OpenStream {
  receive(constructorId: number, payload: Uint8Array): void;
  /** Ends it without telling the client. */
  stop(reason: RonyError): void;
  /** Ends it with UNAVAILABLE: the server is shutting down. */
  shutDown(): void;
}

/** A frame that arrived while the socket was backpressured, held until it drains. */
export type HeldFrame = Uint8Array | string;

export class EdgeConnection<Auth = unknown> implements Peer<Auth> {
  /** Set by middleware or the open hook to remember who this connection is. */
  auth: Auth | undefined = undefined;
  inFlight = 0;
  /** Frames received while the send buffer was over its high-water mark. */
  readonly held: HeldFrame[] = [];
  #ws: WebSocket<SocketData<Auth>> | undefined;
  #closed = false;
  /** Set by the gateway: serves held frames once replies go out and the buffer has room. */
  resumeHeld: (() => void) | undefined = undefined;
  /**
   * True once a send reported buffered bytes, until the buffer is seen empty again: only then
   * does the gateway ask uWS for the buffered amount, so the common case is a field read.
   */
  sendBuffered = false;
  /** Open streams by request id; made with the first stream. */
  streams: Map<number, OpenStream> | undefined = undefined;
  #drained: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    /** Headers of the upgrade request (lower-case names). */
    readonly headers: Readonly<Record<string, string>>,
    readonly maxInFlight: number,
  ) {}

  get connection(): EdgeConnection<Auth> {
    return this;
  }

  get open(): boolean {
    return this.#ws !== undefined && !this.#closed;
  }

  /** @internal */ attach(ws: WebSocket<SocketData<Auth>>): void {
    this.#ws = ws;
  }

  /** @internal the socket closed: later replies are dropped, uWS must not be touched. */
  detach(): void {
    this.#closed = true;
    this.#ws = undefined;
    this.held.length = 0;
    if (this.streams !== undefined) for (const s of [...this.streams.values()]) s.stop(new RonyError(ErrorCode.CANCELLED, "the connection closed"));
    this.notifyDrained();
  }

  /** Resolves at the socket's next drain (or close): streams wait here while it is backpressured. */
  drained(): Promise<void> {
    if (this.#ws === undefined) return Promise.resolve();
    if (this.#drained === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.#drained = { promise, resolve };
    }
    return this.#drained.promise;
  }

  /** @internal the gateway saw a drain. */
  notifyDrained(): void {
    const d = this.#drained;
    this.#drained = undefined;
    d?.resolve();
  }

  get bufferedAmount(): number {
    return this.#ws?.getBufferedAmount() ?? 0;
  }

  admit(): boolean {
    if (this.inFlight >= this.maxInFlight) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
  }

  // Replies finish whenever their handlers do, often outside any uWS callback, where a send is
  // a syscall of its own. They are queued and flushed inside ws.cork(), so a burst of replies
  // leaves in one write. The flush runs once per event-loop turn (flushTurn, below), after uWS
  // has delivered every frame that arrived in it: Node runs the microtasks after each uWS
  // callback, so a flush per microtask checkpoint would cork once per frame under load.
  readonly #outbox: (Uint8Array | string)[] = [];
  #flushQueued = false;
  /** @internal sends what is queued; called by flushTurn. */
  flush(): void {
    this.#flushQueued = false;
    const ws = this.#ws;
    if (ws === undefined) {
      this.#outbox.length = 0;
      return;
    }
    const out = this.#outbox;
    // One frame leaves in one write either way; ws.cork would only add a call back into JS.
    if (out.length === 1) {
      const f = out[0]!;
      out.length = 0;
      if (ws.send(f, typeof f !== "string") !== 1) this.sendBuffered = true;
    } else {
      ws.cork(this.#sendOutbox);
    }
    if (this.held.length > 0) this.resumeHeld?.();
  }
  readonly #sendOutbox = (): void => {
    const ws = this.#ws!;
    const out = this.#outbox;
    for (let i = 0; i < out.length; i++) {
      const f = out[i]!;
      if (ws.send(f, typeof f !== "string") !== 1) this.sendBuffered = true;
    }
    out.length = 0;
  };

  /**
   * @internal set by the gateway while uWS delivers this socket's message: uWS corks the socket
   * during its callbacks, so a reply made then (a handler that answered with a plain value) is
   * sent at once and still leaves in one write with the others of the batch.
   */
  inMessage = false;

  #enqueue(frame: Uint8Array | string): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    if (this.inMessage && this.#outbox.length === 0) {
      // Nothing queued before it, so it cannot overtake a reply or a push.
      if (ws.send(frame, typeof frame !== "string") !== 1) this.sendBuffered = true;
      return;
    }
    this.#outbox.push(frame);
    if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueFlush(this);
    }
  }

  /** Queues a reply; the frame must not be reused by the caller (Peer's contract). */
  sendBinary(frame: Uint8Array): void {
    this.#enqueue(frame);
  }

  sendText(frame: string): void {
    this.#enqueue(frame);
  }

  /**
   * Server push: an envelope with request id 0 carrying `message` under `constructorId`. It
   * leaves in order with the replies around it. False when the connection is gone.
   */
  push<T>(constructorId: number, codec: MessageCodec<T>, message: T): boolean {
    if (this.#ws === undefined) return false;
    const payload = codec.encode(message).finish();
    this.#enqueue(encodeEnvelope({ constructorId, requestId: 0, payload, headers: NO_HEADERS as Record<string, string> }));
    return true;
  }

  /** Closes with a WebSocket close code (1000 normal, 1001 going away, 1008 policy …). */
  close(code = 1000, reason = ""): void {
    const ws = this.#ws;
    if (ws === undefined) return;
    if (this.#outbox.length > 0) ws.cork(this.#sendOutbox); // replies already made go out first
    this.#ws = undefined;
    ws.end(code, reason);
  }
}

// Connections with replies to send, flushed together once per event-loop turn: setImmediate
// runs after the poll phase, in which uWS delivers all the frames that arrived.
let pending: { flush(): void }[] = [];
let spare: { flush(): void }[] = [];

function queueFlush(conn: { flush(): void }): void {
  if (pending.length === 0) setImmediate(flushTurn);
  pending.push(conn);
}

function flushTurn(): void {
  const conns = pending;
  pending = spare;
  for (let i = 0; i < conns.length; i++) conns[i]!.flush();
  conns.length = 0;
  spare = conns;
}
