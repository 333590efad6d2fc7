// Frames of streaming rpcs on a WebSocket connection: opens streams and hands each later frame
// to its stream by request id. The frame handler asks here only for frames whose constructor is
// no unary route, so unary calls pay nothing for streams.
import { ErrorCode, RonyError, STREAM_CONTROL_ID, type Envelope } from "../rpc/index.js";
import type { CallGate } from "./call-gate.js";
import type { EdgeConnection } from "./connection.js";
import { EdgeContext, type Via } from "./context.js";
import type { Dispatcher } from "./dispatcher.js";
import { EdgeStream, type StreamHost, type StreamSink } from "./edge-stream.js";
import type { EdgeLimits } from "./options.js";
import { ReplyEncoder } from "./reply-encoder.js";

export class StreamFrames<Auth> implements StreamHost<Auth> {
  readonly replies = new ReplyEncoder();

  constructor(
    readonly dispatcher: Dispatcher<Auth>,
    readonly gate: CallGate,
    readonly via: Via,
    readonly limits: Pick<EdgeLimits, "maxStreamsPerConnection" | "streamWindow" | "sendHighWaterBytes">,
    readonly errorFrame: (requestId: number, error: RonyError) => Uint8Array,
    readonly allowsInternal: boolean,
  ) {}

  #sink(conn: EdgeConnection<Auth>): StreamSink {
    const highWater = this.limits.sendHighWaterBytes;
    return {
      send: (frame) => conn.sendBinary(frame),
      backpressure: () => (conn.sendBuffered && conn.bufferedAmount >= highWater ? conn.drained() : undefined),
      closed: (requestId) => conn.streams?.delete(requestId),
    };
  }

  /** True when the frame belongs to streams (handled here); false leaves it to the caller. */
  frame(env: Envelope, conn: EdgeConnection<Auth>): boolean {
    const open = conn.streams?.get(env.requestId);
    if (open !== undefined) {
      open.receive(env.constructorId, env.payload);
      return true;
    }
    // Control for a stream that is over (a cancel crossing its end): nothing to do.
    if (env.constructorId === STREAM_CONTROL_ID) return true;
    const route = this.dispatcher.streamRoute(env.constructorId);
    if (route === undefined) return false;
    const refuse = (error: RonyError) => conn.sendBinary(this.errorFrame(env.requestId, error));
    const { method } = route;
    if (method.internal && !this.allowsInternal) return refuse(new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} is internal to the cluster`)), true;
    if (this.gate.closed) return refuse(new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down")), true;
    if (env.requestId === 0) return refuse(new RonyError(ErrorCode.INVALID_ARGUMENT, "a stream needs a request id other than 0")), true;
    const streams = (conn.streams ??= new Map());
    if (streams.size >= this.limits.maxStreamsPerConnection) {
      return refuse(new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `more than ${this.limits.maxStreamsPerConnection} streams open on this connection`)), true;
    }
    let input: unknown;
    if (method.streaming === "server") {
      try {
        input = method.input.decode(env.payload);
      } catch {
        return refuse(new RonyError(ErrorCode.INVALID_ARGUMENT, `payload is not a valid ${method.name} input`)), true;
      }
    }
    const ctx = new EdgeContext<Auth>(method, env.headers, env.requestId, this.via, conn);
    const stream = new EdgeStream<Auth>(env.requestId, route, ctx, this.#sink(conn), this, this.limits.streamWindow);
    streams.set(env.requestId, stream);
    void stream.run(input);
    return true;
  }
}
