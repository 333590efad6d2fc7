// The answer of a replica set to a sharded call for a slot it does not serve now. Its state
// machine decides this in log order, before the handler runs, so the call did not run anywhere
// and is safe to send again: to the owner (MOVED), or after the move ends (moving).
// Across the wire only code, items and description travel: items carries the fields,
// "slot-elsewhere:<slot>:<owner, 0 when unknown>:<epoch>:<moved|moving>", which
// SlotElsewhereError.from reads back on the calling node.
import { ErrorCode, RonyError } from "../../rpc/errors.js";

const ITEMS = /^slot-elsewhere:(\d{1,5}):(\d{1,10}):(\d{1,15}):(moved|moving)$/;

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
      `slot-elsewhere:${slot}:${owner ?? 0}:${epoch}:${moving ? "moving" : "moved"}`,
    );
  }

  /** The answer as this class, whether thrown here or decoded from a peer's reply; else undefined. */
  static from(error: unknown): SlotElsewhereError | undefined {
    if (error instanceof SlotElsewhereError) return error;
    if (!RonyError.is(error, ErrorCode.UNAVAILABLE)) return undefined;
    const m = ITEMS.exec(error.items);
    if (m === null) return undefined;
    const owner = Number(m[2]);
    return new SlotElsewhereError(Number(m[1]), owner === 0 ? undefined : owner, Number(m[3]), m[4] === "moving");
  }
}
