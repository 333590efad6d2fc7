// JSON frames: a debugging aid for the WebSocket text channel and the HTTP RPC endpoint.
//   request  {"requestId":1,"method":"examples.echo.Echo.Say","input":{"text":"hi"},"headers":{}}
//            ("constructorId": 3137309345 works in place of "method"); {"envelopes":[…]} is a batch
//            {"requestId":1,"Pattern":"role:math,cmd:sum","Values":[1,2]} is a go-nano pattern call
//   reply    {"requestId":1,"constructorId":…,"output":{…}}  or  {"requestId":1,"constructorId":…,"error":{"code":"NOT_FOUND",…}}
import { ErrorCode, RPC_ERROR_ID, RonyError, rpcErrorToJson } from "../rpc/index.js";

export interface JsonRequest {
  requestId: number;
  constructorId: number | undefined;
  method: string | undefined;
  headers: Record<string, string>;
  input: unknown;
  /** A go-nano call: `input` is the whole message (its "Pattern" included), for the edge's PatternCalls. */
  pattern: boolean;
}

function bad(why: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `malformed JSON frame: ${why}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function readOne(v: unknown): JsonRequest {
  if (!isRecord(v)) throw bad("a request must be an object");
  const requestId = v["requestId"] ?? 0;
  if (typeof requestId !== "number" || !Number.isInteger(requestId) || requestId < 0 || requestId > 0xffffffff) throw bad("requestId must be a uint32");
  const constructorId = v["constructorId"];
  if (constructorId !== undefined && (typeof constructorId !== "number" || !Number.isInteger(constructorId))) throw bad("constructorId must be an integer");
  const method = v["method"];
  if (method !== undefined && typeof method !== "string") throw bad("method must be a string");
  const pattern = constructorId === undefined && method === undefined && typeof v["Pattern"] === "string";
  if (constructorId === undefined && method === undefined && !pattern) throw bad("needs method, constructorId or Pattern");
  const headers = Object.create(null) as Record<string, string>; // "__proto__" stays a header
  const h = v["headers"];
  if (h !== undefined) {
    if (!isRecord(h)) throw bad("headers must be an object");
    for (const [k, value] of Object.entries(h)) headers[k] = String(value);
  }
  if (pattern) {
    const { requestId: _id, headers: _headers, ...message } = v;
    return { requestId, constructorId: undefined, method: undefined, headers, input: message, pattern };
  }
  return { requestId, constructorId: constructorId === undefined ? undefined : constructorId >>> 0, method, headers, input: v["input"] ?? {}, pattern };
}

export interface JsonFrame {
  readonly requests: JsonRequest[];
  /** {"envelopes": […]}: the HTTP endpoint answers a batch with a batch. */
  readonly batch: boolean;
}

/** Parses a JSON frame into one or more requests. Throws RonyError(INVALID_ARGUMENT). */
export function parseJsonFrame(text: string): JsonFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad("not JSON");
  }
  if (isRecord(parsed) && Array.isArray(parsed["envelopes"])) return { requests: parsed["envelopes"].map(readOne), batch: true };
  return { requests: [readOne(parsed)], batch: false };
}

export function jsonReply(requestId: number, constructorId: number, output: unknown): string {
  return JSON.stringify({ requestId, constructorId, output });
}

/** The reply to a pattern call: no constructor id, the output is the handler's JSON. */
export function jsonPatternReply(requestId: number, output: unknown): string {
  return JSON.stringify({ requestId, output });
}

export function jsonError(requestId: number, error: RonyError): string {
  return JSON.stringify({ requestId, constructorId: RPC_ERROR_ID, error: rpcErrorToJson(error) });
}
