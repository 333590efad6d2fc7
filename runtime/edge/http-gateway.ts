// The HTTP gateway: POST an envelope (binary or JSON) to one RPC endpoint, or call the REST
// routes from (rony.rpc).http. onAborted is registered before anything asynchronous, and an
// aborted response is never touched again; writes after an await are corked.
import type { HttpRequest, HttpResponse, TemplatedApp } from "uWebSockets.js";
import { CONTAINER_ID, ErrorCode, RonyError, decodeEnvelope, httpStatusOf, rpcErrorToJson, type HttpBinding, type HttpVerb } from "../rpc/index.js";
import { EdgeContext } from "./context.js";
import type { Route } from "./dispatcher.js";
import { invalidInput, type FrameHandler } from "./frame-handler.js";
import { jsonError } from "./json-frames.js";
import { readBody, type Exchange } from "./http-body.js";
import type { Cors } from "./http-cors.js";
import type { EdgeLimits } from "./options.js";
import { startHttpStream } from "./http-stream.js";
import type { Peer } from "./peer.js";
import { restInput, uwsPattern } from "./rest-mapping.js";

// JSON text must be UTF-8: bytes that are not are refused (400), never replaced with U+FFFD.
const textDecoder = new TextDecoder("utf-8", { fatal: true });

function decodeText(body: Uint8Array): string | undefined {
  try {
    return textDecoder.decode(body);
  } catch {
    return undefined;
  }
}

const notUtf8 = () => new RonyError(ErrorCode.INVALID_ARGUMENT, "the body is not valid UTF-8");

const statusText: Record<number, string> = {
  200: "200 OK",
  400: "400 Bad Request",
  401: "401 Unauthorized",
  403: "403 Forbidden",
  404: "404 Not Found",
  405: "405 Method Not Allowed",
  409: "409 Conflict",
  412: "412 Precondition Failed",
  413: "413 Payload Too Large",
  429: "429 Too Many Requests",
  499: "499 Client Closed Request",
  500: "500 Internal Server Error",
  501: "501 Not Implemented",
  503: "503 Service Unavailable",
  504: "504 Gateway Timeout",
};

/** What every HTTP route shares: the limits, CORS, and the calls being served over HTTP. */
export interface HttpState {
  readonly limits: EdgeLimits;
  readonly cors: Cors | undefined;
  /** Calls in flight over HTTP (REST calls and inner calls of POST /rpc), held to limits.maxHttpInFlight. */
  active: number;
}

/** An HTTP exchange: answered once, with the CORS headers its request's Origin earned. */
export interface HttpExchange extends Exchange {
  readonly cors?: Record<string, string> | undefined;
}

function exchange(http: HttpState, req: HttpRequest): HttpExchange {
  return { aborted: false, cors: http.cors?.headersFor(req.getHeader("origin")) };
}

/** Takes an HTTP call slot; false when limits.maxHttpInFlight are taken. */
function admitHttp(http: HttpState): boolean {
  if (http.active >= http.limits.maxHttpInFlight) return false;
  http.active++;
  return true;
}

const tooBusy = () => new RonyError(ErrorCode.RESOURCE_EXHAUSTED, "too many HTTP calls in flight");

function status(code: number): string {
  return statusText[code] ?? `${code} Error`;
}

/** Writes a whole response unless the client went away. Corks: it usually runs after an await. */
export function respond(res: HttpResponse, ex: HttpExchange, code: number, contentType: string, body: string | Uint8Array, close = false, headers?: Record<string, string>): void {
  if (ex.aborted) return;
  ex.aborted = true; // answered: nothing may touch res again
  // One callback for every response, given its arguments here (cork calls it at once), rather
  // than a closure made per response.
  reply.res = res;
  reply.code = code;
  reply.contentType = contentType;
  reply.body = body;
  reply.close = close;
  reply.headers = headers;
  reply.cors = ex.cors;
  try {
    res.cork(writeReply);
  } finally {
    reply.res = undefined;
    reply.body = "";
  }
}

const reply: {
  res: HttpResponse | undefined;
  code: number;
  contentType: string;
  body: string | Uint8Array;
  close: boolean;
  headers: Record<string, string> | undefined;
  cors: Record<string, string> | undefined;
} = { res: undefined, code: 0, contentType: "", body: "", close: false, headers: undefined, cors: undefined };

function writeReply(): void {
  const { res, headers, cors } = reply;
  res!.writeStatus(status(reply.code)).writeHeader("content-type", reply.contentType);
  if (headers !== undefined) for (const name in headers) res!.writeHeader(name, headers[name]!);
  if (cors !== undefined) for (const name in cors) res!.writeHeader(name, cors[name]!);
  res!.end(reply.body, reply.close);
}

export function respondError(res: HttpResponse, ex: HttpExchange, error: RonyError, code = httpStatusOf(error.code), close = false): void {
  respond(res, ex, code, "application/json", JSON.stringify(rpcErrorToJson(error)), close);
}

// One forEach callback for every request, filling the object collectHeaders sets (forEach calls it at once).
let collecting: Record<string, string> = Object.create(null) as Record<string, string>;
const collectHeader = (k: string, v: string): void => {
  collecting[k] = v;
};

function collectHeaders(req: HttpRequest): Record<string, string> {
  const headers = Object.create(null) as Record<string, string>;
  collecting = headers;
  req.forEach(collectHeader);
  return headers;
}

/** The RPC endpoint's peer: gathers the replies to one POST, answers when all are in. */
class RpcExchange<Auth> implements Peer<Auth>, HttpExchange {
  aborted = false;
  /** Set only by a streamed response (declared: unary exchanges carry no field for it). */
  declare onAbort?: () => void;
  readonly connection = undefined;
  readonly replies: (Uint8Array | string)[] = [];
  expected = -1;
  batch = false;

  constructor(
    readonly res: HttpResponse,
    readonly json: boolean,
    readonly http: HttpState,
    readonly cors: Record<string, string> | undefined,
  ) {}

  /** Each call, inner calls of a container too, takes a slot of limits.maxHttpInFlight. */
  admit(): boolean {
    return admitHttp(this.http);
  }

  release(): void {
    this.http.active--;
  }

  sendBinary(frame: Uint8Array): void {
    this.replies.push(frame);
    this.#maybeFinish();
  }

  sendText(frame: string): void {
    this.replies.push(frame);
    this.#maybeFinish();
  }

  /** Called once the frame handler said how many replies follow. */
  expect(count: number, batch: boolean): void {
    this.expected = count;
    this.batch = batch;
    this.#maybeFinish();
  }

  #maybeFinish(): void {
    if (this.expected < 0 || this.replies.length < this.expected) return;
    if (this.json) {
      const body = this.batch ? `{"envelopes":[${this.replies.join(",")}]}` : (this.replies[0] as string);
      respond(this.res, this, 200, "application/json", body);
    } else {
      const frames = this.replies as Uint8Array[];
      respond(this.res, this, 200, "application/x-protobuf", this.batch ? containerFrame(frames) : frames[0]!);
    }
  }
}

function pushVarint(v: number, out: number[]): void {
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** Wraps already-encoded envelopes in a container envelope without decoding them again. */
function containerFrame(frames: readonly Uint8Array[]): Uint8Array {
  const parts: number[][] = frames.map((f) => {
    const head = [10];
    pushVarint(f.length, head);
    return head;
  });
  const inner = frames.reduce((n, f, i) => n + parts[i]!.length + f.length, 0);
  const head = [13, CONTAINER_ID & 0xff, (CONTAINER_ID >>> 8) & 0xff, (CONTAINER_ID >>> 16) & 0xff, CONTAINER_ID >>> 24];
  if (inner > 0) {
    head.push(26);
    pushVarint(inner, head);
  }
  const out = new Uint8Array(head.length + inner);
  out.set(head, 0);
  let at = head.length;
  frames.forEach((f, i) => {
    out.set(parts[i]!, at);
    at += parts[i]!.length;
    out.set(f, at);
    at += f.length;
  });
  return out;
}

/**
 * Whether the answer is a container: decided by decoding the envelope (fields may come in any
 * order), never by its first bytes. An unreadable frame gets one bare error, not a container.
 */
function isContainerFrame(frame: Uint8Array): boolean {
  try {
    return decodeEnvelope(frame).constructorId === CONTAINER_ID;
  } catch {
    return false;
  }
}

/** A known path asked with a verb it does not serve: 405 and the verbs it does (RFC 9110 §15.5.6). */
function addMethodNotAllowed(app: TemplatedApp, http: HttpState, pattern: string, verbs: readonly string[]): void {
  const allow = verbs.join(", ");
  app.any(pattern, (res: HttpResponse, req: HttpRequest) => {
    if (http.cors?.preflight(res, req) === true) return;
    const ex = exchange(http, req);
    res.onAborted(() => {
      ex.aborted = true;
    });
    const error = new RonyError(ErrorCode.UNIMPLEMENTED, `${req.getMethod().toUpperCase()} is not allowed on ${req.getUrl()}; allowed: ${allow}`);
    respond(res, ex, 405, "application/json", JSON.stringify(rpcErrorToJson(error)), false, { allow });
  });
}

export function addRpcEndpoint<Auth>(app: TemplatedApp, path: string, frames: FrameHandler<Auth>, http: HttpState): void {
  const { limits } = http;
  addMethodNotAllowed(app, http, path, ["POST"]);
  app.post(path, (res: HttpResponse, req: HttpRequest) => {
    const json = req.getHeader("content-type").startsWith("application/json");
    const ex = new RpcExchange<Auth>(res, json, http, http.cors?.headersFor(req.getHeader("origin")));
    res.onAborted(() => {
      ex.aborted = true;
      ex.onAbort?.();
    });
    if (frames.gate.closed) {
      respondError(res, ex, new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down"), 503, true);
      return;
    }
    readBody(res, limits.maxPayloadBytes, (body) => {
      if (body === undefined) {
        respondError(res, ex, new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `body over ${limits.maxPayloadBytes} bytes`), 413, true);
        return;
      }
      if (json) {
        const text = decodeText(body);
        if (text === undefined) {
          // Answered like any unreadable frame: 200 with an error envelope (docs/protocol.md).
          ex.sendText(jsonError(0, notUtf8()));
          ex.expect(1, false);
          return;
        }
        const { replies, batch } = frames.text(text, ex);
        ex.expect(replies, batch);
      } else {
        const stream = startHttpStream(frames, body, res, ex);
        if (stream instanceof RonyError) respondError(res, ex, stream);
        else if (!stream) ex.expect(frames.binary(body, ex), isContainerFrame(body));
      }
    });
  });
}

const register: Record<HttpVerb, (app: TemplatedApp, pattern: string, h: (res: HttpResponse, req: HttpRequest) => void) => void> = {
  GET: (app, p, h) => app.get(p, h),
  POST: (app, p, h) => app.post(p, h),
  PUT: (app, p, h) => app.put(p, h),
  PATCH: (app, p, h) => app.patch(p, h),
  DELETE: (app, p, h) => app.del(p, h),
};

/** What a REST request carries for its input: path values, query string and body text. */
interface RestRequest {
  readonly pathValues: readonly string[];
  readonly query: string;
  readonly headers: Record<string, string>;
}

// A function of the module, not a closure per request: under tsx (esbuild's keepNames) a named
// closure costs an Object.defineProperty each time it is made, 7% of a REST call's CPU.
function startRest<Auth>(route: Route<Auth>, binding: HttpBinding, frames: FrameHandler<Auth>, http: HttpState, res: HttpResponse, ex: HttpExchange, req: RestRequest, body: string): void {
  let input: unknown;
  try {
    input = route.method.input.fromJSON(restInput(binding, req.pathValues, req.query, body));
  } catch (e) {
    respondError(res, ex, e instanceof RonyError ? e : invalidInput(route.method.name, e));
    return;
  }
  if (!admitHttp(http)) {
    respondError(res, ex, tooBusy());
    return;
  }
  serveRest(route, frames, http, res, ex, req.headers, input);
}

/** Runs one REST call that holds an HTTP slot (admitHttp), and gives the slot back. */
function serveRest<Auth>(route: Route<Auth>, frames: FrameHandler<Auth>, http: HttpState, res: HttpResponse, ex: HttpExchange, headers: Record<string, string>, input: unknown): void {
  const ctx = new EdgeContext<Auth>(route.method, headers, 0, "http", undefined);
  frames.gate.enter();
  const pending = frames.dispatcher.begin(route, input, ctx);
  if (pending === undefined) endRest(route, frames, http, res, ex, ctx);
  else void pending.then(() => endRest(route, frames, http, res, ex, ctx));
}

function endRest<Auth>(route: Route<Auth>, frames: FrameHandler<Auth>, http: HttpState, res: HttpResponse, ex: HttpExchange, ctx: EdgeContext<Auth>): void {
  try {
    answerRest(route, frames, res, ex, ctx);
  } finally {
    http.active--;
    frames.gate.leave();
  }
}

function answerRest<Auth>(route: Route<Auth>, frames: FrameHandler<Auth>, res: HttpResponse, ex: HttpExchange, ctx: EdgeContext<Auth>): void {
  if (ctx.error !== undefined) {
    respondError(res, ex, ctx.error);
    return;
  }
  let body: string;
  try {
    body = JSON.stringify(route.method.output.toJSON(ctx.output));
  } catch (e) {
    frames.dispatcher.onError(e, ctx as EdgeContext<never>);
    respondError(res, ex, new RonyError(ErrorCode.INTERNAL, `${route.method.name} returned an output that does not encode`));
    return;
  }
  respond(res, ex, 200, "application/json", body);
}

/** One uWS route per REST binding, each handler built once at startup. */
export function addRestRoutes<Auth>(app: TemplatedApp, routes: Iterable<Route<Auth>>, frames: FrameHandler<Auth>, http: HttpState): void {
  const { limits } = http;
  const taken = new Map<string, string>();
  const verbsByPattern = new Map<string, { pattern: string; verbs: HttpVerb[] }>();
  for (const route of routes) {
    const binding = route.method.http;
    if (binding === undefined) continue;
    // uWS would silently serve the first of two rpcs bound to one route; refuse to start instead.
    const key = `${binding.method} ${uwsPattern(binding.path).replace(/:[^/]+/g, ":")}`;
    const rpc = `${route.method.service}.${route.method.name}`;
    const other = taken.get(key);
    if (other !== undefined) throw new Error(`${rpc} and ${other} are both bound to ${binding.method} ${binding.path}`);
    taken.set(key, rpc);
    const shape = uwsPattern(binding.path).replace(/:[^/]+/g, ":");
    const entry = verbsByPattern.get(shape) ?? { pattern: uwsPattern(binding.path), verbs: [] };
    entry.verbs.push(binding.method);
    verbsByPattern.set(shape, entry);
    const readsBody = binding.body !== "";
    register[binding.method](app, uwsPattern(binding.path), (res, req) => {
      const ex = exchange(http, req);
      res.onAborted(() => {
        ex.aborted = true;
      });
      const refused = frames.refusal(route, route.method.constructorId);
      if (refused !== undefined) {
        respondError(res, ex, refused, httpStatusOf(refused.code), frames.gate.closed);
        return;
      }
      // HttpRequest lives on uWS's stack: read everything from it now.
      const request: RestRequest = { pathValues: binding.pathParams.map((_, i) => req.getParameter(i) ?? ""), query: req.getQuery() ?? "", headers: collectHeaders(req) };
      if (!readsBody) {
        startRest(route, binding, frames, http, res, ex, request, "");
        return;
      }
      readBody(res, limits.maxPayloadBytes, (body) => {
        if (body === undefined) {
          respondError(res, ex, new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `body over ${limits.maxPayloadBytes} bytes`), 413, true);
          return;
        }
        const text = decodeText(body);
        if (text === undefined) respondError(res, ex, notUtf8());
        else startRest(route, binding, frames, http, res, ex, request, text);
      });
    });
  }
  for (const { pattern, verbs } of verbsByPattern.values()) addMethodNotAllowed(app, http, pattern, verbs);
}

export function addNotFound(app: TemplatedApp, http: HttpState): void {
  app.any("/*", (res: HttpResponse, req: HttpRequest) => {
    if (http.cors?.preflight(res, req) === true) return;
    const ex = exchange(http, req);
    res.onAborted(() => {
      ex.aborted = true;
    });
    respondError(res, ex, new RonyError(ErrorCode.NOT_FOUND, `no route for ${req.getMethod().toUpperCase()} ${req.getUrl()}`));
  });
}
