// A replica-set node's NodeStats, read from the node when asked (nothing is kept up to date).
import type { ReplicaNode } from "../replica-node.js";
import { CallRate } from "./call-rate.js";
import type { NodeStats } from "./node-stats.js";

/** The registry id of member `raftId` of replica set `replicaSet`. */
export function registryId(replicaSet: number | string, raftId: number): string {
  return `${replicaSet}:${raftId}`;
}

export interface SlotState {
  readonly epoch: number;
  readonly owned: string;
  readonly moving: string;
}

/** `slots` reads the node's applied slot table; a node without one serves none. */
export function replicaNodeStats(node: ReplicaNode, edgeAddress: string, slots: () => SlotState = () => ({ epoch: 0, owned: "", moving: "" })): () => NodeStats & { edgeAddress: string } {
  const taken = new CallRate(() => node.edge.callsTaken);
  const run = new CallRate(() => node.callsRun);
  return () => {
    const s = node.status();
    const table = slots();
    return {
      id: registryId(s.replicaSet, s.id),
      replicaSet: String(s.replicaSet),
      edgeAddress,
      role: s.role,
      term: s.term,
      leader: s.leader === 0 ? "" : registryId(s.replicaSet, s.leader),
      commitIndex: s.commitIndex,
      appliedIndex: s.appliedIndex,
      callsPerSecond: taken.perSecond(),
      runPerSecond: run.perSecond(),
      slots: table.owned,
      slotEpoch: table.epoch,
      moving: table.moving,
    };
  };
}
