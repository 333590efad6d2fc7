// go-nano pattern calls at the edge: `POST /` with a JSON body holding "Pattern" and the fields,
// and the same message as a WebSocket text frame (plus a "requestId"). The edge only carries
// them; which service answers is runtime/patterns' business, reached through this interface so
// that the edge never imports the layers above it.
import type { HttpResponse, TemplatedApp } from "uWebSockets.js";
import { ErrorCode, RonyError } from "../rpc/index.js";
import type { Via } from "./context.js";
import type { FrameHandler } from "./frame-handler.js";
import { readBody, type Exchange } from "./http-body.js";
import { respond, respondError } from "./http-gateway.js";
import type { EdgeLimits } from "./options.js";

export interface PatternCalls {
  /**
   * Answers one message ({"Pattern": "role:math,cmd:sum", …fields}) with its JSON output.
   * Rejects with the RonyError the caller is to get; any other rejection reaches the caller as INTERNAL.
   */
  serve(message: Record<string, unknown>, headers: Readonly<Record<string, string>>, via: Via): Promise<unknown>;
}

const textDecoder = new TextDecoder();

/** Runs one pattern call inside the gate; the reply is the output's JSON or a typed error. */
export async function servePattern<Auth>(frames: FrameHandler<Auth>, calls: PatternCalls, message: Record<string, unknown>, headers: Readonly<Record<string, string>>): Promise<{ output: unknown } | { error: RonyError }> {
  frames.gate.enter();
  try {
    return { output: await calls.serve(message, headers, frames.via) };
  } catch (e) {
    if (e instanceof RonyError) return { error: e };
    console.error(`rony-ts: the pattern call ${String(message["Pattern"])} threw`, e);
    return { error: new RonyError(ErrorCode.INTERNAL, `the pattern call ${String(message["Pattern"])} failed`) };
  } finally {
    frames.gate.leave();
  }
}

/** `POST /` as go-nano's HTTP endpoint: the body is the message; the reply is the output's JSON. */
export function addPatternEndpoint<Auth>(app: TemplatedApp, calls: PatternCalls, frames: FrameHandler<Auth>, limits: EdgeLimits): void {
  app.post("/", (res: HttpResponse, req) => {
    const ex: Exchange = { aborted: false };
    res.onAborted(() => {
      ex.aborted = true;
    });
    if (frames.gate.closed) {
      respondError(res, ex, new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down"), 503, true);
      return;
    }
    const headers = Object.create(null) as Record<string, string>;
    req.forEach((k, v) => {
      headers[k] = v;
    });
    readBody(res, limits.maxPayloadBytes, (body) => {
      if (body === undefined) {
        respondError(res, ex, new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `body over ${limits.maxPayloadBytes} bytes`), 413, true);
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(textDecoder.decode(body));
      } catch {
        respondError(res, ex, new RonyError(ErrorCode.INVALID_ARGUMENT, "the body is not JSON"));
        return;
      }
      if (typeof message !== "object" || message === null || Array.isArray(message)) {
        respondError(res, ex, new RonyError(ErrorCode.INVALID_ARGUMENT, 'the body must be a JSON object holding "Pattern"', "Pattern"));
        return;
      }
      void servePattern(frames, calls, message as Record<string, unknown>, headers).then((reply) => {
        if ("error" in reply) respondError(res, ex, reply.error);
        else respond(res, ex, 200, "application/json", JSON.stringify(reply.output ?? null));
      });
    });
  });
}
