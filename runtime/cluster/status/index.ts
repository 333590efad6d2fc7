// The cluster's status page and JSON (docs/cluster.md, "The status page").
export { assembleClusterStatus, STATUS_FORMAT, type AnnouncedNode, type ClusterStatus, type NodeStatus, type ReplicaSetStatus } from "./cluster-status.js";
export { CallRate } from "./call-rate.js";
export { NODE_STATS, validateNodeStats, type NodeStats, type NodeStatsRequest } from "./node-stats.js";
export { replicaNodeStats, type SlotState } from "./replica-node-stats.js";
export { ClusterStatusCollector, type ClusterStatusSource } from "./status-collector.js";
export { serveClusterStatus } from "./status-routes.js";
