// RonyError <-> rony.RpcError, binary and JSON. Errors are off the hot path, so the generated codec does.
import { RpcError, errorCodeFromJSON, errorCodeToJSON } from "../../generated/rony/envelope.js";
import { ErrorCode, RonyError } from "./errors.js";

export function encodeRpcError(error: RonyError): Uint8Array {
  return RpcError.encode({ code: error.code, items: error.items, description: error.description }).finish();
}

/** Never throws: a reply that cannot be read is itself reported as a typed error. */
export function decodeRpcError(payload: Uint8Array): RonyError {
  try {
    const e = RpcError.decode(payload);
    return new RonyError(e.code, e.description, e.items);
  } catch {
    return new RonyError(ErrorCode.INTERNAL, "unreadable error reply");
  }
}

/** The JSON shape of an error, used by HTTP bodies and JSON frames: {"code":"NOT_FOUND",...}. */
export interface RpcErrorJson {
  code: string;
  items: string;
  description: string;
}

export function rpcErrorToJson(error: RonyError): RpcErrorJson {
  return { code: errorCodeToJSON(error.code), items: error.items, description: error.description };
}

export function rpcErrorFromJson(value: unknown): RonyError {
  if (typeof value !== "object" || value === null) return new RonyError(ErrorCode.INTERNAL, "unreadable error reply");
  const v = value as Record<string, unknown>;
  const code = errorCodeFromJSON(v["code"]);
  return new RonyError(
    code === ErrorCode.UNRECOGNIZED ? ErrorCode.INTERNAL : code,
    typeof v["description"] === "string" ? v["description"] : "",
    typeof v["items"] === "string" ? v["items"] : "",
  );
}

/** Anything thrown becomes a RonyError; a foreign exception becomes `fallback` with a generic text. */
export function asRonyError(thrown: unknown, fallback: ErrorCode, description: string): RonyError {
  return thrown instanceof RonyError ? thrown : new RonyError(fallback, description);
}
