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
  | "PROPOSAL_TIMEOUT" // a proposal was made but not seen applied by its deadline: outcome unknown, as above
  | "STEP_LOCAL_MSG" // a local message type arrived from the network
  | "STEP_PEER_NOT_FOUND" // a response from a node the leader does not track
  | "INVALID_CONFIG"
  | "INVALID_ARGUMENT"
  | "WAL_CORRUPT" // a checksum failed before the tail of the log
  | "DECODE" // a malformed frame or record
  | "INVALID_MESSAGE" // a peer message that decodes but breaks the protocol's rules: its connection is closed
  | "ENTRY_TOO_LARGE" // a proposal above maxEntryBytes, refused before it reaches the log
  | "FRAME_TOO_LARGE" // a transport frame above maxFrameBytes
  | "AUTH_FAILED" // a peer connection that did not prove knowledge of the cluster secret
  | "IDLE_TIMEOUT" // a peer connection stalled in a handshake or in the middle of a frame
  | "STOPPED" // the node has been stopped
  | "TIMEOUT";

export class RaftError extends Error {
  override readonly name = "RaftError";
  constructor(
    readonly code: RaftErrorCode,
    /** The message without its code. */
    readonly detail: string,
    /** For NOT_LEADER: the leader this node knows of, 0 if none. */
    readonly leader = 0,
  ) {
    super(`${code}: ${detail}`);
  }
}

export const isRaftError = (e: unknown, code?: RaftErrorCode): e is RaftError =>
  e instanceof RaftError && (code === undefined || e.code === code);

/** The proposal may or may not take effect: retry it with the same client session (thesis §6.3). */
export const isOutcomeUnknown = (e: unknown): e is RaftError => isRaftError(e, "LEADERSHIP_LOST") || isRaftError(e, "PROPOSAL_TIMEOUT");
