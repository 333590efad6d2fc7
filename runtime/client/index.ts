// Clients for browsers and Node: generated clients take any of these transports.
export * from "../rpc/index.js";
export { WebSocketTransport, type ConnectionState, type WebSocketTransportOptions } from "./ws-transport.js";
export { HttpTransport, type HttpTransportOptions } from "./http-transport.js";
export { backoffDelay, defaultBackoff, type BackoffOptions } from "./backoff.js";
export type { WebSocketConstructor, WebSocketLike } from "./websocket-like.js";
export { patternTransport, type PatternActor } from "./pattern-transport.js";
export { ClusterTransport, type ClusterTransportOptions } from "./cluster-transport.js";
export { SHARD_REDIRECT_HEADER, SLOT_MAP, validateSlotMap, type SlotMapNode, type SlotMapReply, type SlotMapRequest } from "./slot-map-rpc.js";
export { KvAgent, type KvAgentOptions, type KvApi, type KvConnection, type KvEntryLike, type KvUpdate } from "./kv-agent.js";
