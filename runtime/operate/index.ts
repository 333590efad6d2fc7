// Operating a service (Node only): Prometheus metrics and structured logs (docs/operate.md).
export { EdgeMetrics, type EdgeMetricsOptions } from "./metrics.js";
export { logConnections, logErrors, logRaft, logRedisHa, type Logger } from "./logging.js";
