// Replica sets: generated services replicated on Raft, with the node tunnel, forwarding and
// redirects (docs/cluster.md). Node only.
export { ReplicaNode, type ReplicaMember, type ReplicaNodeOptions, type ReplicaStatus } from "./replica-node.js";
export { ReplicatedContext } from "./replicated-context.js";
export { CallStateMachine, type AppliedCall } from "./call-state-machine.js";
export { SESSION_TTL_MS, SESSION_WINDOW } from "./sessions.js";
export { TUNNEL_HEADER, TunnelAuthenticator, clusterNodeId, tunnelToken } from "./tunnel-auth.js";
export { openTunnel, type TunnelOptions } from "./tunnel-client.js";
export { SLOT_COUNT, SlotElsewhereError, slotOf } from "./slots/index.js";
export * from "./status/index.js";
export { SlotRanges, type SlotRange } from "./slots/slot-ranges.js";
export type { SlotState } from "./slots/slot-table.js";
export { SlotAdminMethods } from "./slots/slot-admin-rpcs.js";
export { ClusterNode, type ClusterNodeOptions, type ClusterNodeStatus } from "./cluster-node.js";
export { ClusterView, type ClusterViewSnapshot, type ReplicaSetView } from "./cluster-view.js";
export { SlotMap, claimOf, type SlotClaim, type SlotMapSnapshot, type SlotOwner } from "./slot-map.js";
export { ShardRouter, SHARD_HOPS_HEADER } from "./shard-router.js";
export { slotMapReply } from "./slot-map-rpc.js";
