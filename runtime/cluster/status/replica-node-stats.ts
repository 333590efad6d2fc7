// A replica-set node's NodeStats, read from the node when asked (nothing is kept up to date).
import type { ReplicaNode } from "../replica-node.js";
import { clusterNodeId } from "../tunnel-auth.js";
import { CallRate } from "./call-rate.js";
import type { NodeStats } from "./node-stats.js";
import { nodeStatsCalls } from "./status-routes.js";

export interface SlotState {
  readonly epoch: number;
  readonly owned: string;
  readonly moving: string;
}

/** `slots` reads the node's applied slot table; a node without one serves none. */
export function replicaNodeStats(node: ReplicaNode, edgeAddress: string, slots: () => SlotState = () => ({ epoch: 0, owned: "", moving: "" })): () => NodeStats & { edgeAddress: string } {
  const taken = new CallRate(() => node.edge.callsTaken - nodeStatsCalls(node.edge));
  const run = new CallRate(() => node.callsRun);
  return () => {
    const s = node.status();
    const table = slots();
    return {
      id: node.clusterId,
      replicaSet: String(s.replicaSet),
      edgeAddress,
      role: s.role,
      term: s.term,
      leader: s.leader === 0 ? "" : clusterNodeId(s.replicaSet, s.leader),
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
