// The WebSocket gateway: binary envelopes (and JSON text frames) in, replies and pushes out.
// One behavior object per app, per-socket state in user data. uWS neuters the message buffer
// when the callback returns: a frame served at once is read in place (the frame handler copies
// what a call keeps), a frame held for later is copied into a shared slab.
import type { HttpRequest, HttpResponse, WebSocket, WebSocketBehavior, us_socket_context_t } from "uWebSockets.js";
import { ByteSlab } from "./byte-slab.js";
import { EdgeConnection, type SocketData } from "./connection.js";
import type { FrameHandler } from "./frame-handler.js";
import type { EdgeHooks, EdgeLimits } from "./options.js";

const textDecoder = new TextDecoder();
const frameCopies = new ByteSlab();

export interface WsGatewayState<Auth> {
  readonly connections: Map<number, EdgeConnection<Auth>>;
  nextId: number;
  readonly frames: FrameHandler<Auth>;
  readonly limits: EdgeLimits;
  readonly hooks: EdgeHooks<Auth>;
  /** Checked on upgrade (the tunnel's peer authentication); absent on the client gateway. */
  readonly authorize?: (headers: Readonly<Record<string, string>>) => boolean;
}

function serve<Auth>(state: WsGatewayState<Auth>, conn: EdgeConnection<Auth>, frame: Uint8Array | string, inPlace = false): void {
  if (typeof frame === "string") state.frames.text(frame, conn);
  else state.frames.binary(frame, conn, inPlace);
}

// Held frames are served a few at a time: replies go out asynchronously, so the send buffer
// only shows their weight once they are flushed, and each flush resumes the next few.
const HELD_BATCH = 8;

/** Serves held frames while the client's send buffer is under the high-water mark. */
function serveHeld<Auth>(state: WsGatewayState<Auth>, ws: WebSocket<SocketData<Auth>>, conn: EdgeConnection<Auth>): void {
  while (conn.held.length > 0 && conn.open && conn.inFlight < HELD_BATCH && ws.getBufferedAmount() < state.limits.sendHighWaterBytes) {
    serve(state, conn, conn.held.shift()!);
  }
}

export function wsBehavior<Auth>(state: WsGatewayState<Auth>): WebSocketBehavior<SocketData<Auth>> {
  const { limits, hooks } = state;
  const inPlace = state.frames.readsInPlace;
  return {
    // Over the limit but under this hard cap, a frame is refused with a 1009 close; past the cap
    // uWS itself drops the connection without reading the rest.
    maxPayloadLength: Math.max(limits.maxPayloadBytes * 2, limits.maxPayloadBytes + 64 * 1024),
    idleTimeout: limits.idleTimeoutSeconds,
    // uWS drops sends beyond this; we stop serving far earlier (sendHighWaterBytes), so a drop
    // means a client ignored backpressure for long: close it rather than lose replies silently.
    maxBackpressure: Math.max(limits.sendHighWaterBytes * 4, 64 * 1024 * 1024),
    closeOnBackpressureLimit: 1,
    sendPingsAutomatically: true,

    upgrade(res: HttpResponse, req: HttpRequest, context: us_socket_context_t): void {
      if (state.frames.gate.closed) {
        res.writeStatus("503 Service Unavailable").end("shutting down");
        return;
      }
      const headers = Object.create(null) as Record<string, string>;
      req.forEach((k, v) => {
        headers[k] = v;
      });
      if (state.authorize !== undefined && !state.authorize(headers)) {
        res.writeStatus("401 Unauthorized").end("unauthenticated", true);
        return;
      }
      const conn = new EdgeConnection<Auth>(state.nextId++, textDecoder.decode(res.getRemoteAddressAsText()), headers, limits.maxInFlightPerConnection);
      res.upgrade<SocketData<Auth>>({ conn }, req.getHeader("sec-websocket-key"), req.getHeader("sec-websocket-protocol"), req.getHeader("sec-websocket-extensions"), context);
    },

    open(ws: WebSocket<SocketData<Auth>>): void {
      const conn = ws.getUserData().conn;
      conn.attach(ws);
      conn.resumeHeld = () => serveHeld(state, ws, conn);
      state.connections.set(conn.id, conn);
      let keep: void | boolean = true;
      try {
        keep = hooks.onOpen?.(conn);
      } catch {
        keep = false;
      }
      if (keep === false) conn.close(1008, "refused");
    },

    message(ws: WebSocket<SocketData<Auth>>, message: ArrayBuffer, isBinary: boolean): void {
      const conn = ws.getUserData().conn;
      if (message.byteLength > limits.maxPayloadBytes) {
        conn.close(1009, "message too big");
        return;
      }
      const frame = isBinary ? new Uint8Array(message) : textDecoder.decode(message);
      if (conn.held.length > 0 || (conn.sendBuffered && ws.getBufferedAmount() >= limits.sendHighWaterBytes)) {
        // The client is not reading its replies: stop serving it until the buffer drains.
        if (conn.held.length >= limits.maxHeldFrames) {
          conn.close(1008, "not reading replies");
          return;
        }
        conn.held.push(typeof frame === "string" ? frame : frameCopies.copy(frame));
        return;
      }
      conn.inMessage = true;
      try {
        // Served now, a frame is read where uWS put it (the frame handler copies what a call keeps).
        if (typeof frame === "string" || inPlace) serve(state, conn, frame, inPlace);
        else serve(state, conn, frameCopies.copy(frame));
      } finally {
        conn.inMessage = false;
      }
    },

    drain(ws: WebSocket<SocketData<Auth>>): void {
      const conn = ws.getUserData().conn;
      if (ws.getBufferedAmount() === 0) conn.sendBuffered = false;
      conn.notifyDrained();
      serveHeld(state, ws, conn);
    },

    close(ws: WebSocket<SocketData<Auth>>, code: number, message: ArrayBuffer): void {
      const conn = ws.getUserData().conn;
      conn.detach();
      state.connections.delete(conn.id);
      hooks.onClose?.(conn, code, textDecoder.decode(message));
    },
  };
}
