// The calling end of a tunnel: a WebSocketTransport to another node's /tunnel, whose every
// (re)connection carries a fresh token naming both nodes. Typed clients and cluster stubs run
// over it, internal rpcs included.
import WebSocket from "ws";
import { WebSocketTransport } from "../client/ws-transport.js";
import type { WebSocketConstructor } from "../client/websocket-like.js";
import { TUNNEL_HEADER, tunnelToken } from "./tunnel-auth.js";

export const TUNNEL_MAX_PAYLOAD = 256 * 1024 * 1024;

export interface TunnelOptions {
  readonly secret: string;
  /** Cluster-wide ids ("<replicaSet>:<raftId>") of this node and the one called. */
  readonly from: string;
  readonly to: string;
  /** The called node's edge, host:port. */
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** The peer's frame limit (every node is configured alike); a bigger call fails alone. */
  readonly maxFrameBytes?: number;
}

export function openTunnel(options: TunnelOptions): WebSocketTransport {
  const { secret, from, to } = options;
  return new WebSocketTransport(`ws://${options.host}:${options.port}/tunnel`, {
    WebSocket: tunnelSocket(() => tunnelToken(secret, from, to)),
    timeoutMs: options.timeoutMs,
    maxFrameBytes: options.maxFrameBytes ?? TUNNEL_MAX_PAYLOAD,
  });
}

/** `ws` with the tunnel token on every (re)connection's upgrade request. */
function tunnelSocket(token: () => string): WebSocketConstructor {
  return class TunnelSocket extends WebSocket {
    constructor(url: string) {
      super(url, { headers: { [TUNNEL_HEADER]: token() }, maxPayload: TUNNEL_MAX_PAYLOAD });
    }
  } as unknown as WebSocketConstructor;
}
