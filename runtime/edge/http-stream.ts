// Server streams over HTTP/1.1: POST the open envelope to the RPC endpoint, read the outputs
// as a streamed response of length-prefixed envelopes (content type application/x-rony-stream:
// each frame is a 4-byte big-endian length, then one envelope), ended by StreamControl{END} or
// an RpcError envelope (docs/streams.md). Flow control is TCP's: a write that uWS reports as
// buffered pauses the handler until the socket is writable again. Client and bidi streams need
// frames both ways, which one HTTP/1.1 exchange cannot carry: they get UNIMPLEMENTED.
import type { HttpResponse } from "uWebSockets.js";
import { CONTAINER_ID, ErrorCode, RonyError, STREAM_CONTENT_TYPE, STREAM_TIMEOUT_HEADER, decodeEnvelope } from "../rpc/index.js";
import { EdgeContext } from "./context.js";
import { EdgeStream, type StreamSink } from "./edge-stream.js";
import type { FrameHandler } from "./frame-handler.js";
import type { Exchange } from "./http-body.js";

/** The constructor id a binary frame starts with (field 1, fixed32), or 0. */
function leadingConstructor(frame: Uint8Array): number {
  if (frame.length < 5 || frame[0] !== 13) return 0;
  return (frame[1]! | (frame[2]! << 8) | (frame[3]! << 16) | (frame[4]! << 24)) >>> 0;
}

function lengthPrefixed(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length);
  out.set(frame, 4);
  return out;
}

/**
 * Starts a stream when the POSTed frame opens one: true when it did, a RonyError to answer with
 * when it cannot, false when the frame is no stream (the unary path takes it).
 */
export function startHttpStream<Auth>(frames: FrameHandler<Auth>, body: Uint8Array, res: HttpResponse, ex: Exchange): boolean | RonyError {
  const id = leadingConstructor(body);
  if (id === 0 || id === CONTAINER_ID) return false;
  const route = frames.dispatcher.streamRoute(id);
  if (route === undefined) return false;
  const { method } = route;
  if (method.streaming !== "server") {
    return new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} is a ${method.streaming} stream: HTTP/1.1 carries server streams only; use the WebSocket`);
  }
  if (method.internal) return new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} is internal to the cluster`);
  if (frames.gate.closed) return new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down");
  let input: unknown;
  let env;
  try {
    env = decodeEnvelope(body);
    input = method.input.decode(env.payload);
  } catch {
    return new RonyError(ErrorCode.INVALID_ARGUMENT, `payload is not a valid ${method.name} input`);
  }
  let writable: (() => void) | undefined;
  const sink: StreamSink = {
    send(frame) {
      if (ex.aborted) return;
      let ok = true;
      res.cork(() => {
        ok = res.write(lengthPrefixed(frame));
      });
      if (!ok && writable === undefined) {
        const waiting = new Promise<void>((resolve) => (writable = resolve));
        pending = waiting;
        res.onWritable(() => {
          const w = writable;
          writable = undefined;
          pending = undefined;
          w?.();
          return true;
        });
      }
    },
    backpressure: () => pending,
    closed() {
      if (ex.aborted) return;
      ex.aborted = true;
      res.cork(() => res.end());
    },
  };
  let pending: Promise<void> | undefined;
  const ctx = new EdgeContext<Auth>(method, env.headers, env.requestId, "http", undefined);
  const stream = new EdgeStream<Auth>(env.requestId, route, ctx, sink, frames.streams, 0);
  ex.onAbort = () => {
    writable?.();
    stream.stop(new RonyError(ErrorCode.CANCELLED, "the client went away"));
  };
  res.cork(() => {
    res.writeStatus("200 OK").writeHeader("content-type", STREAM_CONTENT_TYPE);
  });
  stream.grant(Number.MAX_SAFE_INTEGER, Number(env.headers[STREAM_TIMEOUT_HEADER] ?? 0) || 0);
  void stream.run(input);
  return true;
}
