// Serves `rony.cluster.Slots.Map` (runtime/client/slot-map-rpc.ts) on a node's edge: the slot map
// this node knows and each replica set's nodes, leader first, with the URLs clients dial.
import { SLOT_MAP, type SlotMapReply } from "../client/slot-map-rpc.js";
import type { EdgeServer } from "../edge/index.js";
import type { ClusterViewSnapshot } from "./cluster-view.js";

export function slotMapReply(view: ClusterViewSnapshot, wsPath: string): SlotMapReply {
  return {
    epoch: view.slots.epoch,
    ranges: view.slots.ranges,
    replicaSets: view.replicaSets.map((set) => {
      const leaderFirst = [...set.members].sort((a, b) => Number(b.id === set.leader) - Number(a.id === set.leader));
      return { id: set.id, nodes: leaderFirst.map((m) => ({ id: m.id, ws: `ws://${m.edgeAddress}${wsPath}`, http: `http://${m.edgeAddress}` })) };
    }),
  };
}

export function serveSlotMap<Auth>(edge: EdgeServer<Auth>, view: () => ClusterViewSnapshot, wsPath: string): void {
  edge.add(SLOT_MAP, async () => slotMapReply(view(), wsPath));
}
