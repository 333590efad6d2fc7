import type { EdgeConnection } from "./connection.js";
import type { CorsOptions } from "./http-cors.js";

export interface EdgeLimits {
  /** Largest WebSocket message or HTTP body accepted, in bytes. A bigger WebSocket frame closes the connection (1009). */
  maxPayloadBytes: number;
  /** Calls one WebSocket connection may have in flight; more get RESOURCE_EXHAUSTED. */
  maxInFlightPerConnection: number;
  /** Calls served over HTTP at once, all connections together (each inner call of a POST /rpc
   * container counts); more get RESOURCE_EXHAUSTED (REST: 429; POST /rpc: in the reply envelope). */
  maxHttpInFlight: number;
  /** A WebSocket silent this long is closed: 0 (never) or 8 to 960 (uWS's bounds; it rounds to ~4 s). */
  idleTimeoutSeconds: number;
  /** When a client's unsent replies exceed this, its new frames are held, not served, until it drains. */
  sendHighWaterBytes: number;
  /** Frames held for a backpressured client before it is closed (1008). */
  maxHeldFrames: number;
  /** How long shutdown() waits for calls in flight before closing anyway. */
  shutdownTimeoutMs: number;
  /** Streams one WebSocket connection may have open; more get RESOURCE_EXHAUSTED. */
  maxStreamsPerConnection: number;
  /** Input messages a client or bidi stream may send before the server grants more (docs/streams.md). */
  streamWindow: number;
}

export const defaultLimits: EdgeLimits = {
  maxPayloadBytes: 1024 * 1024,
  maxInFlightPerConnection: 256,
  maxHttpInFlight: 1024,
  idleTimeoutSeconds: 120,
  sendHighWaterBytes: 1024 * 1024,
  maxHeldFrames: 1024,
  shutdownTimeoutMs: 10_000,
  maxStreamsPerConnection: 1024,
  streamWindow: 256,
};

/**
 * uWS aborts the whole process (std::terminate) when an app's idle timeout is 1–7 or above 960
 * seconds, at listen time: refuse such a value when the server is built, with a clear error.
 */
export function checkIdleTimeout(seconds: number, what: string): number {
  if (seconds !== 0 && !(Number.isInteger(seconds) && seconds >= 8 && seconds <= 960)) {
    throw new RangeError(`${what} must be 0 (never) or whole seconds from 8 to 960; got ${seconds}`);
  }
  return seconds;
}

export interface EdgeHooks<Auth> {
  /** A WebSocket connection opened. Return false (or throw) to close it at once. */
  onOpen?(conn: EdgeConnection<Auth>): void | boolean;
  onClose?(conn: EdgeConnection<Auth>, code: number, reason: string): void;
}

/**
 * The cluster tunnel: a second WebSocket route for node-to-node calls (via "tunnel", the only
 * way to reach internal rpcs). `authorize` sees the upgrade request's headers; a false answers
 * 401 before any frame is read.
 */
export interface TunnelOptions {
  /** Default "/tunnel". */
  path?: string;
  authorize(headers: Readonly<Record<string, string>>): boolean;
  /** Largest frame a peer may send; default 256 MiB, far above any reply a user would build. */
  maxPayloadBytes?: number;
  /** Calls a peer may have in flight on one connection; default 8192 (it carries many clients' calls). */
  maxInFlight?: number;
  /** A tunnel silent this long is closed; live peers answer the pings sent before it. 0 or 8 to 960; default 32. */
  idleTimeoutSeconds?: number;
}

export interface EdgeServerOptions<Auth> {
  /** Host to bind; default "0.0.0.0". */
  host?: string;
  /** Path of the WebSocket gateway; default "/ws". */
  wsPath?: string;
  /** Path of the HTTP RPC endpoint (POST an envelope); default "/rpc". */
  rpcPath?: string;
  /** Serve REST routes from the rpcs' (rony.rpc).http annotations; default true. */
  rest?: boolean;
  limits?: Partial<EdgeLimits>;
  /** Let browser pages on other origins call the HTTP gateway (docs/edge.md#cors); off by default. */
  cors?: CorsOptions;
  hooks?: EdgeHooks<Auth>;
  /** Serve the cluster tunnel; off unless given. */
  tunnel?: TunnelOptions;
}
