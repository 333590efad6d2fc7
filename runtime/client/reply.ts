// Turns a reply envelope into the rpc's output or the RonyError the server sent.
import { ErrorCode, REDIRECT_ID, RPC_ERROR_ID, RonyError, decodeRedirect, decodeRpcError, type AnyMethod, type Envelope } from "../rpc/index.js";

export function readReply(method: AnyMethod, env: Envelope): unknown {
  if (env.constructorId === method.outputConstructorId) {
    try {
      return method.output.decode(env.payload);
    } catch {
      throw new RonyError(ErrorCode.INTERNAL, `unreadable ${method.name} reply`);
    }
  }
  if (env.constructorId === RPC_ERROR_ID) throw decodeRpcError(env.payload);
  // A RedirectError (UNAVAILABLE) naming the nodes to ask; ClusterTransport follows it.
  if (env.constructorId === REDIRECT_ID) throw decodeRedirect(env.payload);
  throw new RonyError(ErrorCode.INTERNAL, `unexpected reply constructor 0x${env.constructorId.toString(16)} for ${method.name}`);
}

/** An HTTP status without a readable error body becomes the closest code. */
export function codeOfStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return ErrorCode.INVALID_ARGUMENT;
    case 401:
      return ErrorCode.UNAUTHENTICATED;
    case 403:
      return ErrorCode.PERMISSION_DENIED;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 409:
      return ErrorCode.ALREADY_EXISTS;
    case 412:
      return ErrorCode.FAILED_PRECONDITION;
    case 413:
    case 429:
      return ErrorCode.RESOURCE_EXHAUSTED;
    case 501:
      return ErrorCode.UNIMPLEMENTED;
    case 503:
      return ErrorCode.UNAVAILABLE;
    case 504:
      return ErrorCode.DEADLINE_EXCEEDED;
    default:
      return ErrorCode.INTERNAL;
  }
}
