import { ErrorCode } from "../../generated/rony/envelope.js";

export { ErrorCode };

/** The one error class that crosses the wire: the server sends it, clients rebuild it. */
export class RonyError extends Error {
  override readonly name = "RonyError";

  constructor(
    readonly code: ErrorCode,
    readonly description: string,
    /** What the error is about (a field, a key), machine-readable. */
    readonly items = "",
  ) {
    super(`${ErrorCode[code] ?? `code ${code}`}: ${description}`);
  }

  static is(value: unknown, code?: ErrorCode): value is RonyError {
    return value instanceof RonyError && (code === undefined || value.code === code);
  }
}

const httpStatusByCode: Record<ErrorCode, number> = {
  [ErrorCode.ERROR_CODE_UNSPECIFIED]: 500,
  [ErrorCode.INVALID_ARGUMENT]: 400,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.ALREADY_EXISTS]: 409,
  [ErrorCode.PERMISSION_DENIED]: 403,
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.RESOURCE_EXHAUSTED]: 429,
  [ErrorCode.FAILED_PRECONDITION]: 412,
  [ErrorCode.ABORTED]: 409,
  [ErrorCode.UNIMPLEMENTED]: 501,
  [ErrorCode.INTERNAL]: 500,
  [ErrorCode.UNAVAILABLE]: 503,
  [ErrorCode.DEADLINE_EXCEEDED]: 504,
  [ErrorCode.CANCELLED]: 499,
  [ErrorCode.CROSS_SHARD]: 400,
  [ErrorCode.UNRECOGNIZED]: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return httpStatusByCode[code] ?? 500;
}
