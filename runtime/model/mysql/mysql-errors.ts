// mysql2 failures → typed RonyErrors. Branches on error numbers and codes, never message text.
import type { RonyError } from "../../rpc/errors.js";
import { alreadyExists, internal, invalidArgument, unavailable } from "../errors.js";

interface MysqlFailure {
  readonly errno?: number;
  readonly code?: string;
  readonly fatal?: boolean;
  readonly message?: string;
}

const ER_DUP_ENTRY = 1062;
/** Server errors that mean the connection or server went away, not that the query was wrong. */
const CONNECTION_ERRNOS = new Set([1040, 1053, 1152, 1158, 1159, 1160, 1161, 1205, 1927, 2002, 2003, 2006, 2013]);
const VALUE_ERRNOS = new Set([1264, 1366, 1406, 1048, 3140]);
const CONNECTION_CODES = new Set([
  "ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND",
  "PROTOCOL_CONNECTION_LOST", "PROTOCOL_SEQUENCE_TIMEOUT", "PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR", "POOL_CLOSED",
]);

export function isDuplicate(error: unknown): boolean {
  return (error as MysqlFailure | undefined)?.errno === ER_DUP_ENTRY;
}

export function toModelError(error: unknown, model: string, connection: string, address: string): RonyError | unknown {
  if (typeof error !== "object" || error === null) return error;
  const e = error as MysqlFailure;
  const reason = e.message ?? String(error);
  if (e.errno === ER_DUP_ENTRY) return alreadyExists(model, "primary key or unique index value");
  if (e.fatal === true || (e.errno !== undefined && CONNECTION_ERRNOS.has(e.errno)) || (e.code !== undefined && CONNECTION_CODES.has(e.code))) {
    return unavailable(connection, address, reason);
  }
  if (e.errno !== undefined && VALUE_ERRNOS.has(e.errno)) return invalidArgument(model, reason);
  if (e.errno !== undefined) return internal(model, `MySQL error ${e.errno} (${e.code ?? "?"}): ${reason}`);
  return error;
}
