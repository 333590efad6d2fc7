// The typed outcomes of a repository call. They are RonyErrors, so a handler that lets one
// through sends the same code to the client (ALREADY_EXISTS → 409, NOT_FOUND → 404 …).
import { ErrorCode, RonyError } from "../rpc/errors.js";

export function alreadyExists(model: string, what: string): RonyError {
  return new RonyError(ErrorCode.ALREADY_EXISTS, `${model}: ${what} already exists`, what);
}

export function notFound(model: string, what: string): RonyError {
  return new RonyError(ErrorCode.NOT_FOUND, `${model}: ${what} not found`, what);
}

/** The connection could not serve the call; names the connection and its address. */
export function unavailable(connection: string, address: string, reason: string): RonyError {
  return new RonyError(ErrorCode.UNAVAILABLE, `connection "${connection}" (${address}): ${reason}`, connection);
}

export function invalidArgument(model: string, reason: string, item = ""): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `${model}: ${reason}`, item);
}

export function internal(model: string, reason: string): RonyError {
  return new RonyError(ErrorCode.INTERNAL, `${model}: ${reason}`);
}
