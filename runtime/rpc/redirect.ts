// A reply that says "not here": the call reached a follower (or, sharded, the wrong replica set)
// and the node answers with where to send it instead. Redirects are data, not failures: a
// ClusterTransport follows them; a plain client sees an UNAVAILABLE RonyError carrying them.
import { Redirect, RedirectReason, type NodeInfo } from "../../generated/rony/envelope.js";
import { ErrorCode, RonyError } from "./errors.js";

export { RedirectReason, type NodeInfo };

export class RedirectError extends RonyError {
  constructor(
    readonly reason: RedirectReason,
    readonly targets: readonly NodeInfo[],
  ) {
    super(ErrorCode.UNAVAILABLE, `redirected (${RedirectReason[reason] ?? reason}) to ${targets.map((t) => t.addresses[0] ?? t.id).join(", ") || "nowhere"}`, "redirect");
  }
}

export function encodeRedirect(error: RedirectError): Uint8Array {
  return Redirect.encode({ reason: error.reason, targets: [...error.targets] }).finish();
}

/** Never throws: an unreadable redirect is a typed error of its own. */
export function decodeRedirect(payload: Uint8Array): RonyError {
  try {
    const r = Redirect.decode(payload);
    return new RedirectError(r.reason, r.targets);
  } catch {
    return new RonyError(ErrorCode.INTERNAL, "unreadable redirect reply");
  }
}
