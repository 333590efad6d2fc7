// How a leader handles messages: proposals, acknowledgements, reads, transfers and quorum checks.
import { RaftError } from "./errors.js";
import { ProgressState } from "./progress.js";
import type { Raft } from "./raft.js";
import type { Message } from "./types.js";
import { EntryType, MessageType as MT, NONE, msg } from "./types.js";

/** Answers a ReadIndex request at index: locally, or to the follower that forwarded it. */
function respondRead(r: Raft, req: Message, index: number): void {
  if (req.from === NONE || req.from === r.id) {
    r.readStates.push({ index, requestCtx: req.entries[0]!.data });
  } else {
    r.send(msg({ type: MT.ReadIndexResp, to: req.from, index, entries: req.entries }));
  }
}

function handleReadIndex(r: Raft, m: Message): void {
  if (r.prs.isSingleton()) {
    respondRead(r, m, r.raftLog.committed);
    return;
  }
  // thesis §6.4: until an entry of this term commits, our commit index may be behind the real one
  if (!r.committedEntryInCurrentTerm()) {
    r.pendingReadIndexMessages.push(m);
    return;
  }
  r.readOnly.addRequest(r.raftLog.committed, m);
  const ctx = m.entries[0]!.data;
  r.readOnly.recvAck(r.id, ctx);
  r.bcastHeartbeat(ctx);
}

export function releasePendingReadIndexMessages(r: Raft): void {
  if (r.pendingReadIndexMessages.length === 0 || !r.committedEntryInCurrentTerm()) return;
  const pending = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of pending) handleReadIndex(r, m);
}

function sendTimeoutNow(r: Raft, to: number): void {
  r.send(msg({ type: MT.TimeoutNow, to }));
}

export function stepLeader(r: Raft, m: Message): void {
  switch (m.type) {
    case MT.Beat:
      r.bcastHeartbeat();
      return;
    case MT.CheckQuorum:
      if (!r.prs.quorumActive(r.id)) r.becomeFollower(r.term, NONE);
      for (const [id, pr] of r.prs.progress) if (id !== r.id) pr.recentActive = false;
      return;
    case MT.Prop: {
      if (m.entries.length === 0) throw new RaftError("INVALID_ARGUMENT", "empty proposal");
      if (!r.prs.progress.has(r.id)) throw new RaftError("PROPOSAL_DROPPED", `leader ${r.id} was removed`, NONE);
      if (r.leadTransferee !== NONE)
        throw new RaftError("PROPOSAL_DROPPED", `leadership is moving to ${r.leadTransferee}`, r.leadTransferee);
      const ents = m.entries.map((e) => ({ ...e }));
      for (let i = 0; i < ents.length; i++) {
        if (ents[i]!.type !== EntryType.ConfChange) continue;
        if (r.pendingConfIndex > r.raftLog.applied)
          throw new RaftError("CONF_CHANGE_PENDING", `change at ${r.pendingConfIndex} not applied yet (applied ${r.raftLog.applied})`, r.id);
        r.pendingConfIndex = r.raftLog.lastIndex() + i + 1;
      }
      r.appendEntry(ents);
      r.bcastAppend();
      return;
    }
    case MT.ReadIndex:
      handleReadIndex(r, m);
      return;
    default:
      break;
  }

  const pr = r.prs.progress.get(m.from);
  if (!pr) return;
  switch (m.type) {
    case MT.AppResp: {
      pr.recentActive = true;
      if (m.reject) {
        let nextProbe = m.rejectHint;
        if (m.logTerm > 0) nextProbe = r.raftLog.findConflictByTerm(m.rejectHint, m.logTerm)[0];
        if (pr.maybeDecrTo(m.index, nextProbe)) {
          if (pr.state === ProgressState.Replicate) pr.becomeProbe();
          r.sendAppend(m.from);
        }
        return;
      }
      const oldPaused = pr.isPaused();
      if (!pr.maybeUpdate(m.index)) return;
      if (pr.state === ProgressState.Probe) pr.becomeReplicate();
      else if (pr.state === ProgressState.Snapshot && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === ProgressState.Replicate) pr.inflights.freeLE(m.index);

      if (r.maybeCommit()) {
        releasePendingReadIndexMessages(r);
        r.bcastAppend();
      } else if (oldPaused) {
        r.sendAppend(m.from);
      }
      // pipelining: keep the window full
      while (r.maybeSendAppend(m.from, false));
      if (m.from === r.leadTransferee && pr.match === r.raftLog.lastIndex()) sendTimeoutNow(r, m.from);
      return;
    }
    case MT.HeartbeatResp: {
      pr.recentActive = true;
      pr.probeSent = false;
      if (pr.state === ProgressState.Replicate && pr.inflights.full()) pr.inflights.freeFirstOne();
      if (pr.match < r.raftLog.lastIndex()) r.sendAppend(m.from);
      if (m.context === undefined || m.context.length === 0) return;
      const acks = r.readOnly.recvAck(m.from, m.context);
      if (!acks) return;
      let granted = 0;
      for (const id of acks) if (r.prs.progress.has(id)) granted++;
      if (granted < r.prs.quorum()) return;
      for (const rs of r.readOnly.advance(m.context)) respondRead(r, rs.req, rs.index);
      return;
    }
    case MT.SnapStatus:
      if (pr.state !== ProgressState.Snapshot) return;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      // wait for the follower's append response (or a heartbeat) before probing again
      pr.probeSent = true;
      return;
    case MT.Unreachable:
      if (pr.state === ProgressState.Replicate) pr.becomeProbe();
      return;
    case MT.TransferLeader: {
      const transferee = m.from;
      if (transferee === r.leadTransferee) return;
      r.abortLeaderTransfer();
      if (transferee === r.id) return;
      r.electionElapsed = 0;
      r.leadTransferee = transferee;
      if (pr.match === r.raftLog.lastIndex()) sendTimeoutNow(r, transferee);
      else r.sendAppend(transferee);
      return;
    }
    default:
      return;
  }
}
