// The edge runtime (Node only): uWebSockets.js gateways over a dispatcher.
export { EdgeServer } from "./edge-server.js";
export { Dispatcher, type ErrorReporter, type Route, type StreamRoute } from "./dispatcher.js";
export { EdgeContext, type Via } from "./context.js";
export { EdgeConnection } from "./connection.js";
export type { Middleware } from "./middleware.js";
export { defaultLimits, type EdgeHooks, type EdgeLimits, type EdgeServerOptions, type TunnelOptions } from "./options.js";
export type { CorsOptions } from "./http-cors.js";
export { FrameHandler, allowsInternal } from "./frame-handler.js";
export { CallGate } from "./call-gate.js";
export type { Peer } from "./peer.js";
export type { PatternCalls } from "./pattern-calls.js";
