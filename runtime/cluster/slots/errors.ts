// The answer of a replica set to a sharded call for a slot it does not serve now. Its state
// machine decides this in log order, before the handler runs, so the call did not run anywhere
// and is safe to send again: to the owner (MOVED), or after the move ends (moving).
import { ErrorCode, RonyError } from "../../rpc/errors.js";

export class SlotElsewhereError extends RonyError {
  constructor(
    readonly slot: number,
    /** The replica set that owns the slot now, when this one knows (it gave the slot away). */
    readonly owner: number | undefined,
    /** The slot epoch this replica set's answer is based on. */
    readonly epoch: number,
    /** The slot is being moved away from here: retry shortly (Redis Cluster's TRYAGAIN). */
    readonly moving: boolean,
  ) {
    super(
      ErrorCode.UNAVAILABLE,
      moving
        ? `slot ${slot} is moving to replica set ${owner ?? "?"}; the call did not run, retry shortly`
        : `slot ${slot} is not served by this replica set${owner === undefined ? "" : `; replica set ${owner} owns it`} (epoch ${epoch}); the call did not run`,
      "slot-elsewhere",
    );
  }
}
