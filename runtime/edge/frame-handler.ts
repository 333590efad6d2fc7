// Frame in, calls out: decode → route → (refuse | dispatch) → encode → reply to the peer.
// Input messages are decoded before the first await, so a frame may be a view of memory that
// is only valid during the caller's callback (uWS), as long as its bytes fields are copied first.
import {
  CONTAINER_ID,
  ErrorCode,
  REDIRECT_ID,
  RPC_ERROR_ID,
  RedirectError,
  RonyError,
  decodeContainer,
  decodeEnvelopeHead,
  encodeRedirect,
  encodeReply,
  encodeRpcError,
  newEnvelopeHead,
  type Envelope,
  type EnvelopeHead,
} from "../rpc/index.js";
import type { CallGate } from "./call-gate.js";
import { EdgeContext, type Via } from "./context.js";
import type { Dispatcher, Route } from "./dispatcher.js";
import { jsonError, jsonPatternReply, jsonReply, parseJsonFrame, type JsonFrame, type JsonRequest } from "./json-frames.js";
import { servePattern, type PatternCalls } from "./pattern-calls.js";
import type { Peer } from "./peer.js";
import { ReplyEncoder } from "./reply-encoder.js";
import { ReusedReader, reuseWorks } from "./reused-wire.js";
import { ByteSlab } from "./byte-slab.js";
import { StreamFrames } from "./stream-frames.js";
import { defaultLimits, type EdgeLimits } from "./options.js";

export function allowsInternal(via: Via): boolean {
  return via === "tunnel" || via === "local";
}

// Replies with request id 0 are server pushes: a call with id 0 would get a reply the client
// could not tell from a push, so it is refused (its error carries id 0, like an unreadable frame's).
function reservedRequestId(): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, "request id 0 is reserved for server pushes", "requestId");
}

/** An input that did not decode; the codec's message names the field (and is about the input alone). */
export function invalidInput(rpc: string, e: unknown): RonyError {
  const why = e instanceof Error ? `: ${e.message}` : "";
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `not a valid ${rpc} input${why}`);
}

export class FrameHandler<Auth = unknown> {
  readonly #scratch = new Uint8Array(64 * 1024);
  readonly #replies = new ReplyEncoder();
  /** Inputs are decoded before any await, so one reader serves every call. */
  readonly #reader = reuseWorks ? new ReusedReader() : undefined;
  /** Filled by each frame's decode; read before the first await. */
  readonly #head = newEnvelopeHead();
  /** Where bytes read in place are copied to when a call keeps them. */
  readonly #kept = new ByteSlab();
  /** Streaming rpcs over WebSocket connections (docs/streams.md). */
  readonly streams: StreamFrames<Auth>;
  /** Who answers JSON frames holding "Pattern" (EdgeServer.servePatterns); none: UNIMPLEMENTED. */
  patterns: PatternCalls | undefined = undefined;

  constructor(
    readonly dispatcher: Dispatcher<Auth>,
    readonly gate: CallGate,
    readonly via: Via,
    limits: EdgeLimits = defaultLimits,
  ) {
    this.streams = new StreamFrames(dispatcher, gate, via, limits, (id, e) => this.errorFrame(id, e), allowsInternal(via));
  }

  /**
   * One binary frame: an envelope or a container of envelopes. Never throws. Returns how many
   * replies the peer will get (one per envelope, or one error for an unreadable frame).
   * `inPlace`: the frame's memory is valid only during this call (uWS's message buffer) and is
   * read where it is; what a call keeps of it (bytes fields, a stream's payload) is copied.
   */
  binary(frame: Uint8Array, peer: Peer<Auth>, inPlace = false): number {
    const head = this.#head;
    try {
      decodeEnvelopeHead(frame, head);
    } catch (e) {
      peer.sendBinary(this.errorFrame(0, e as RonyError));
      return 1;
    }
    if (head.constructorId !== CONTAINER_ID) {
      this.#start(head, frame, peer, inPlace);
      return 1;
    }
    let batch: Envelope[];
    try {
      batch = decodeContainer(frame.subarray(head.payloadStart, head.payloadEnd));
    } catch (e) {
      peer.sendBinary(this.errorFrame(head.requestId, e as RonyError));
      return 1;
    }
    for (const inner of batch) {
      if (inner.constructorId === CONTAINER_ID) {
        peer.sendBinary(this.errorFrame(inner.requestId, new RonyError(ErrorCode.INVALID_ARGUMENT, "containers do not nest")));
      } else {
        const { constructorId, requestId, headers, payload } = inner;
        this.#start({ constructorId, requestId, headers, payloadStart: 0, payloadEnd: payload.length }, payload, peer, inPlace);
      }
    }
    return batch.length;
  }

  /** True when frames may be read in place (binary's `inPlace`): the reused reader copies bytes fields. */
  get readsInPlace(): boolean {
    return this.#reader !== undefined;
  }

  /** One JSON text frame (the debugging aid). Never throws. Says how many replies follow. */
  text(frame: string, peer: Peer<Auth>): { replies: number; batch: boolean } {
    let parsed: JsonFrame;
    try {
      parsed = parseJsonFrame(frame);
    } catch (e) {
      peer.sendText(jsonError(0, e as RonyError));
      return { replies: 1, batch: false };
    }
    for (const req of parsed.requests) this.#startJson(req, peer);
    return { replies: parsed.requests.length, batch: parsed.batch };
  }

  /** A fresh frame (peers keep what they are given); errors are rare enough to allocate. */
  errorFrame(requestId: number, error: RonyError): Uint8Array {
    if (error instanceof RedirectError) return encodeReply(this.#scratch, REDIRECT_ID, requestId, encodeRedirect(error)).slice();
    return encodeReply(this.#scratch, RPC_ERROR_ID, requestId, encodeRpcError(error)).slice();
  }

  /** Why a route cannot be called from here, or undefined when it can. */
  refusal(route: Route<Auth> | undefined, constructorId: number): RonyError | undefined {
    if (route === undefined) {
      const stream = this.dispatcher.streamRoute(constructorId)?.method;
      if (stream !== undefined) return new RonyError(ErrorCode.UNIMPLEMENTED, `${stream.service}.${stream.name} streams: call it over the WebSocket with a streaming client (docs/streams.md)`);
      return new RonyError(ErrorCode.UNIMPLEMENTED, `unknown constructor 0x${constructorId.toString(16).padStart(8, "0")}`);
    }
    if (route.method.internal && !allowsInternal(this.via)) {
      return new RonyError(ErrorCode.UNIMPLEMENTED, `${route.method.service}.${route.method.name} is internal to the cluster`);
    }
    if (this.gate.closed) return new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down");
    return undefined;
  }

  #start(head: EnvelopeHead, frame: Uint8Array, peer: Peer<Auth>, inPlace: boolean): void {
    const route = this.dispatcher.route(head.constructorId);
    if (route === undefined && peer.connection !== undefined && this.streams.frame(this.#envelope(head, frame, inPlace), peer.connection)) return;
    const refused = head.requestId === 0 ? reservedRequestId() : this.refusal(route, head.constructorId);
    if (refused !== undefined || route === undefined) {
      peer.sendBinary(this.errorFrame(head.requestId, refused!));
      return;
    }
    if (!peer.admit()) {
      peer.sendBinary(this.errorFrame(head.requestId, new RonyError(ErrorCode.RESOURCE_EXHAUSTED, "too many calls in flight")));
      return;
    }
    let input: unknown;
    try {
      const codec = route.method.input;
      const reader = this.#reader;
      input =
        reader !== undefined && route.readsFromReader
          ? codec.decode(reader.reset(frame, head.payloadStart, head.payloadEnd, inPlace ? this.#kept : undefined) as unknown as Uint8Array)
          : codec.decode(this.#payload(head, frame, inPlace));
    } catch (e) {
      peer.release();
      peer.sendBinary(this.errorFrame(head.requestId, invalidInput(route.method.name, e)));
      return;
    }
    this.#callBinary(route, input, head.headers, head.requestId, peer);
  }

  /** The payload as a view, or as a copy of its own when the frame is read in place. */
  #payload(head: EnvelopeHead, frame: Uint8Array, inPlace: boolean): Uint8Array {
    const view = frame.subarray(head.payloadStart, head.payloadEnd);
    return inPlace ? this.#kept.copy(view) : view;
  }

  #envelope(head: EnvelopeHead, frame: Uint8Array, inPlace: boolean): Envelope {
    return { constructorId: head.constructorId, requestId: head.requestId, headers: head.headers, payload: this.#payload(head, frame, inPlace) };
  }

  #callBinary(route: Route<Auth>, input: unknown, headers: Readonly<Record<string, string>>, requestId: number, peer: Peer<Auth>): void {
    const ctx = new EdgeContext<Auth>(route.method, headers, requestId, this.via, peer.connection);
    this.gate.enter();
    const pending = this.dispatcher.begin(route, input, ctx);
    if (pending === undefined) this.#replyBinary(route, ctx, peer);
    else void pending.then(() => this.#replyBinary(route, ctx, peer));
  }

  /** The call's outcome (ctx.output or ctx.error) as a reply frame to the peer; ends the call. */
  #replyBinary(route: Route<Auth>, ctx: EdgeContext<Auth>, peer: Peer<Auth>): void {
    const requestId = ctx.requestId;
    let frame: Uint8Array;
    if (ctx.error === undefined) {
      try {
        frame = this.#replies.encode(route.method.outputConstructorId, requestId, route.method.output, ctx.output);
      } catch (e) {
        this.dispatcher.onError(e, ctx as EdgeContext<never>);
        frame = this.errorFrame(requestId, new RonyError(ErrorCode.INTERNAL, `${route.method.name} returned an output that does not encode`));
      }
    } else {
      frame = this.errorFrame(requestId, ctx.error);
    }
    // Reply first: shutdown() waits for the gate, and must find this reply already queued.
    peer.sendBinary(frame);
    peer.release();
    this.gate.leave();
  }

  #startJson(req: JsonRequest, peer: Peer<Auth>): void {
    if (req.pattern) {
      this.#startPattern(req, peer);
      return;
    }
    const route = req.method !== undefined ? this.dispatcher.routeByName(req.method) : this.dispatcher.route(req.constructorId!);
    const refused = req.requestId === 0 ? reservedRequestId() : this.refusal(route, req.constructorId ?? 0);
    if (refused !== undefined || route === undefined) {
      const error = req.requestId !== 0 && route === undefined && req.method !== undefined ? new RonyError(ErrorCode.UNIMPLEMENTED, `unknown method ${req.method}`) : refused!;
      peer.sendText(jsonError(req.requestId, error));
      return;
    }
    if (!peer.admit()) {
      peer.sendText(jsonError(req.requestId, new RonyError(ErrorCode.RESOURCE_EXHAUSTED, "too many calls in flight")));
      return;
    }
    let input: unknown;
    try {
      input = route.method.input.fromJSON(req.input);
    } catch (e) {
      peer.release();
      peer.sendText(jsonError(req.requestId, invalidInput(route.method.name, e)));
      return;
    }
    void this.#callJson(route, input, req, peer);
  }

  #startPattern(req: JsonRequest, peer: Peer<Auth>): void {
    const calls = this.patterns;
    const refused =
      req.requestId === 0 ? reservedRequestId()
      : calls === undefined ? new RonyError(ErrorCode.UNIMPLEMENTED, "this server serves no pattern calls", "Pattern")
      : this.gate.closed ? new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down")
      : !peer.admit() ? new RonyError(ErrorCode.RESOURCE_EXHAUSTED, "too many requests in flight on this connection")
      : undefined;
    if (refused !== undefined || calls === undefined) {
      peer.sendText(jsonError(req.requestId, refused!));
      return;
    }
    void servePattern(this, calls, req.input as Record<string, unknown>, req.headers).then((reply) => {
      peer.sendText("error" in reply ? jsonError(req.requestId, reply.error) : jsonPatternReply(req.requestId, reply.output));
      peer.release();
    });
  }

  async #callJson(route: Route<Auth>, input: unknown, req: JsonRequest, peer: Peer<Auth>): Promise<void> {
    const ctx = new EdgeContext<Auth>(route.method, req.headers, req.requestId, this.via, peer.connection);
    this.gate.enter();
    await this.dispatcher.run(route, input, ctx);
    let text: string;
    if (ctx.error === undefined) {
      try {
        text = jsonReply(req.requestId, route.method.outputConstructorId, route.method.output.toJSON(ctx.output));
      } catch (e) {
        this.dispatcher.onError(e, ctx as EdgeContext<never>);
        text = jsonError(req.requestId, new RonyError(ErrorCode.INTERNAL, `${route.method.name} returned an output that does not encode`));
      }
    } else {
      text = jsonError(req.requestId, ctx.error);
    }
    peer.sendText(text);
    peer.release();
    this.gate.leave();
  }
}
