// Checks a message from the network before the core steps it. The core trusts its inputs (a
// broken invariant throws, stopping the node, as etcd panics); a peer is not trusted that far.
// validateMessage checks the shape every sender of a type produces; checkAgainstState what a
// correct leader or follower of the message's term can never send to this node. Either throws
// INVALID_MESSAGE, before anything changes, and the driver closes the sender's connection.
import { RaftError } from "./errors.js";
import type { Raft } from "./raft.js";
import type { Message } from "./types.js";
import { MessageType as MT, NONE, StateType, isLocalMessage, messageTypeName } from "./types.js";

const invalid = (m: Message, why: string): RaftError =>
  new RaftError("INVALID_MESSAGE", `${messageTypeName(m.type)} from ${m.from} to ${m.to} at term ${m.term}: ${why}`);

/** Proposals and reads a follower forwards keep term 0 (they are local to their origin); every other message has one. */
const TERMLESS: ReadonlySet<number> = new Set([MT.Prop, MT.ReadIndex]);

export interface MessageLimits {
  /** Largest entry data a forwarded proposal may carry. */
  maxEntryBytes?: number;
}

export function validateMessage(m: Message, limits: MessageLimits = {}): void {
  if (m.type > MT.PreVoteResp) throw invalid(m, "unknown type");
  if (isLocalMessage(m.type)) throw invalid(m, "a local message type cannot come from a peer");
  if (m.from === NONE || m.to === NONE) throw invalid(m, "no sender or no recipient");
  if (TERMLESS.has(m.type) ? m.term !== 0 : m.term === 0) throw invalid(m, TERMLESS.has(m.type) ? "a forwarded request carries no term" : "no term");
  switch (m.type) {
    case MT.Prop:
      if (m.entries.length === 0) throw invalid(m, "a proposal without entries");
      for (const e of m.entries)
        if (limits.maxEntryBytes !== undefined && e.data.length > limits.maxEntryBytes)
          throw invalid(m, `an entry of ${e.data.length} bytes exceeds maxEntryBytes ${limits.maxEntryBytes}`);
      return;
    case MT.ReadIndex:
    case MT.ReadIndexResp:
      if (m.entries.length !== 1) throw invalid(m, `a read request carries one entry (its context), not ${m.entries.length}`);
      return;
    case MT.App: {
      if (m.logTerm > m.term) throw invalid(m, `previous entry's term ${m.logTerm} is above the leader's`);
      let prevTerm = m.logTerm;
      for (let i = 0; i < m.entries.length; i++) {
        const e = m.entries[i]!;
        if (e.index !== m.index + 1 + i) throw invalid(m, `entry ${i} has index ${e.index}, expected ${m.index + 1 + i}`);
        if (e.term < prevTerm || e.term > m.term) throw invalid(m, `entry ${e.index} has term ${e.term}, outside [${prevTerm}, ${m.term}]`);
        prevTerm = e.term;
      }
      return;
    }
    case MT.Snap: {
      const s = m.snapshot;
      if (!s) throw invalid(m, "no snapshot attached");
      if (s.meta.index === 0 || s.meta.term === 0 || s.meta.term > m.term) throw invalid(m, `snapshot at index ${s.meta.index}, term ${s.meta.term}`);
      const voters = s.meta.confState.voters;
      if (voters.length === 0 || voters.includes(NONE) || new Set(voters).size !== voters.length)
        throw invalid(m, `snapshot voters [${voters.join(", ")}]`);
      return;
    }
    case MT.Vote:
    case MT.PreVote:
      if (m.logTerm > m.term) throw invalid(m, `candidate's last term ${m.logTerm} is above its campaign's`);
      return;
    default:
      return;
  }
}

/** What a correct peer cannot send this node in the message's term (a stale term is ignored anyway). */
export function checkAgainstState(r: Raft, m: Message): void {
  if (m.term < r.term) return;
  const log = r.raftLog;
  switch (m.type) {
    case MT.Heartbeat:
      // a leader sends min(what we acknowledged, its commit)
      if (m.commit > log.lastIndex()) throw invalid(m, `commit ${m.commit} beyond this log's last index ${log.lastIndex()}`);
      return;
    case MT.App:
      // Leader Completeness: a leader holds every committed entry, so it never contradicts one
      if (m.index >= log.committed && log.matchTerm(m.index, m.logTerm)) {
        const ci = log.findConflict(m.entries);
        if (ci !== 0 && ci <= log.committed) throw invalid(m, `entry ${ci} contradicts a committed entry (committed ${log.committed})`);
      }
      return;
    case MT.AppResp:
      // a follower acknowledges only entries its leader sent
      if (!m.reject && m.term === r.term && r.state === StateType.Leader && m.index > log.lastIndex())
        throw invalid(m, `acknowledges index ${m.index} beyond the leader's last ${log.lastIndex()}`);
      return;
    default:
      return;
  }
}
