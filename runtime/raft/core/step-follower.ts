// How a follower handles messages once the term checks in Raft.step have passed.
import { RaftError } from "./errors.js";
import type { Raft } from "./raft.js";
import { CampaignType } from "./campaign.js";
import type { Message } from "./types.js";
import { MessageType as MT, NONE } from "./types.js";

export function stepFollower(r: Raft, m: Message): void {
  switch (m.type) {
    case MT.Prop:
      if (r.lead === NONE) throw new RaftError("PROPOSAL_DROPPED", `node ${r.id} knows no leader in term ${r.term}`, NONE);
      r.send({ ...m, to: r.lead });
      return;
    case MT.App:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleAppendEntries(m);
      return;
    case MT.Heartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleHeartbeat(m);
      return;
    case MT.Snap:
      r.electionElapsed = 0;
      r.lead = m.from;
      r.handleSnapshot(m);
      return;
    case MT.TransferLeader:
      if (r.lead === NONE) return;
      r.send({ ...m, to: r.lead, term: 0 }); // from stays the transferee
      return;
    case MT.TimeoutNow:
      // §3.10 of the thesis: the leader asked us to take over; skip pre-vote, the leader is cooperating
      r.hup(CampaignType.Transfer);
      return;
    case MT.ReadIndex:
      if (r.lead === NONE) throw new RaftError("PROPOSAL_DROPPED", `node ${r.id} knows no leader for a read`, NONE);
      r.send({ ...m, to: r.lead });
      return;
    case MT.ReadIndexResp:
      if (m.entries.length !== 1) return;
      r.readStates.push({ index: m.index, requestCtx: m.entries[0]!.data });
      return;
    default:
      return;
  }
}
