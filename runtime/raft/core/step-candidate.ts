// How a candidate or pre-candidate handles messages: it counts votes, or yields to a leader.
import { RaftError } from "./errors.js";
import type { Raft } from "./raft.js";
import { CampaignType } from "./campaign.js";
import { VoteResult } from "./tracker.js";
import type { Message } from "./types.js";
import { MessageType as MT, NONE, StateType } from "./types.js";

export function stepCandidate(r: Raft, m: Message): void {
  const myVoteResp = r.state === StateType.PreCandidate ? MT.PreVoteResp : MT.VoteResp;
  switch (m.type) {
    case MT.Prop:
      throw new RaftError("PROPOSAL_DROPPED", `node ${r.id} is campaigning in term ${r.term}`, NONE);
    case MT.App:
      // §5.2: a leader of our term exists; return to follower
      r.becomeFollower(m.term, m.from);
      r.handleAppendEntries(m);
      return;
    case MT.Heartbeat:
      r.becomeFollower(m.term, m.from);
      r.handleHeartbeat(m);
      return;
    case MT.Snap:
      r.becomeFollower(m.term, m.from);
      r.handleSnapshot(m);
      return;
    case MT.TimeoutNow:
      return;
    default:
      break;
  }
  if (m.type !== myVoteResp) return;
  const result = r.poll(m.from, m.type, !m.reject);
  if (result === VoteResult.Won) {
    if (r.state === StateType.PreCandidate) {
      r.campaign(CampaignType.Election);
    } else {
      r.becomeLeader();
      r.bcastAppend();
    }
  } else if (result === VoteResult.Lost) {
    // a pre-candidate that lost keeps its term; a candidate stays in the term it raised
    r.becomeFollower(r.term, NONE);
  }
}
