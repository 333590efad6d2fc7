// Typed errors of the Raft layer: callers branch on `code`, never on message text.

export type RaftErrorCode =
  | "COMPACTED" // the requested index is below the first available entry
  | "UNAVAILABLE" // the requested index is beyond the last entry
  | "SNAPSHOT_OUT_OF_DATE" // a snapshot older than the one held was offered
  | "SNAPSHOT_TEMPORARILY_UNAVAILABLE"
  | "PROPOSAL_DROPPED" // no leader known, a transfer in progress, or the node was removed
  | "CONF_CHANGE_PENDING" // one membership change at a time
  | "NOT_LEADER" // the request must go to the leader
  | "LEADERSHIP_LOST" // the outcome of a proposal is unknown: retry with the same session
  | "STEP_LOCAL_MSG" // a local message type arrived from the network
  | "STEP_PEER_NOT_FOUND" // a response from a node the leader does not track
  | "INVALID_CONFIG"
  | "INVALID_ARGUMENT"
  | "WAL_CORRUPT" // a checksum failed before the tail of the log
  | "DECODE" // a malformed frame or record
  | "STOPPED" // the node has been stopped
  | "TIMEOUT";

export class RaftError extends Error {
  override readonly name = "RaftError";
  constructor(
    readonly code: RaftErrorCode,
    message: string,
    /** For NOT_LEADER: the leader this node knows of, 0 if none. */
    readonly leader = 0,
  ) {
    super(`${code}: ${message}`);
  }
}

export const isRaftError = (e: unknown, code?: RaftErrorCode): e is RaftError =>
  e instanceof RaftError && (code === undefined || e.code === code);
