// The edge: one uWebSockets.js app serving the WebSocket gateway, the HTTP RPC endpoint and the
// REST routes over one Dispatcher.
import uWS from "uWebSockets.js";
import type { Handler, HandlerRegistry, MethodDescriptor, StreamHandlers } from "../rpc/index.js";
import { CallGate } from "./call-gate.js";
import type { EdgeConnection } from "./connection.js";
import type { EdgeContext } from "./context.js";
import { Dispatcher } from "./dispatcher.js";
import { FrameHandler } from "./frame-handler.js";
import { Cors } from "./http-cors.js";
import { addNotFound, addRestRoutes, addRpcEndpoint, type HttpState } from "./http-gateway.js";
import type { Middleware } from "./middleware.js";
import { addPatternEndpoint, type PatternCalls } from "./pattern-calls.js";
import { checkIdleTimeout, defaultLimits, type EdgeLimits, type EdgeServerOptions } from "./options.js";
import { wsBehavior, type WsGatewayState } from "./ws-gateway.js";

export class EdgeServer<Auth = unknown> implements HandlerRegistry<EdgeContext<Auth>> {
  readonly dispatcher: Dispatcher<Auth>;
  readonly limits: EdgeLimits;
  readonly #gate = new CallGate();
  readonly #options: EdgeServerOptions<Auth>;
  readonly #ws: WsGatewayState<Auth>;
  readonly #gets: [string, (res: uWS.HttpResponse, req: uWS.HttpRequest) => void][] = [];
  readonly #tunnel: WsGatewayState<Auth> | undefined;
  #listenSocket: uWS.us_listen_socket | undefined;
  #port = 0;
  #shutdown: Promise<void> | undefined;
  #patterns: PatternCalls | undefined;

  constructor(options: EdgeServerOptions<Auth> = {}, dispatcher = new Dispatcher<Auth>()) {
    this.#options = options;
    this.dispatcher = dispatcher;
    this.limits = { ...defaultLimits, ...options.limits };
    checkIdleTimeout(this.limits.idleTimeoutSeconds, "limits.idleTimeoutSeconds");
    this.#ws = {
      connections: new Map(),
      nextId: 1,
      frames: new FrameHandler(dispatcher, this.#gate, "ws", this.limits),
      limits: this.limits,
      hooks: options.hooks ?? {},
    };
    const tunnel = options.tunnel;
    if (tunnel !== undefined) {
      const maxPayloadBytes = tunnel.maxPayloadBytes ?? 256 * 1024 * 1024;
      const limits = { ...this.limits, maxPayloadBytes, maxInFlightPerConnection: tunnel.maxInFlight ?? 8192, idleTimeoutSeconds: checkIdleTimeout(tunnel.idleTimeoutSeconds ?? 32, "tunnel idleTimeoutSeconds"), sendHighWaterBytes: Math.max(this.limits.sendHighWaterBytes, maxPayloadBytes) };
      this.#tunnel = { connections: new Map(), nextId: 1, frames: new FrameHandler(dispatcher, this.#gate, "tunnel"), limits, hooks: {}, authorize: (h) => tunnel.authorize(h) };
    }
  }

  add<I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, EdgeContext<Auth>>, middleware?: readonly Middleware<Auth>[]): void {
    this.dispatcher.add(method, handler, middleware);
  }

  addStream<I, O>(method: MethodDescriptor<I, O>, handlers: StreamHandlers<I, O, EdgeContext<Auth>>, middleware?: readonly Middleware<Auth>[]): void {
    this.dispatcher.addStream(method, handlers, middleware);
  }

  /** Serves go-nano pattern calls (`POST /`, and WebSocket text frames holding "Pattern") through `calls`. Before listen(). */
  servePatterns(calls: PatternCalls): void {
    this.#patterns = calls;
    this.#ws.frames.patterns = calls;
  }

  use(middleware: Middleware<Auth>): this {
    this.dispatcher.use(middleware);
    return this;
  }

  /** A GET route of the operator's (e.g. /metrics, runtime/operate), served from the next listen(). */
  get(path: string, handler: (res: uWS.HttpResponse, req: uWS.HttpRequest) => void): this {
    this.#gets.push([path, handler]);
    return this;
  }

  /** Open WebSocket connections by id, for pushes and admin. */
  get connections(): ReadonlyMap<number, EdgeConnection<Auth>> {
    return this.#ws.connections;
  }

  /** Calls in flight across both gateways. */
  get inFlight(): number {
    return this.#gate.active;
  }

  /** Unary calls taken since the server was built (WebSocket, HTTP and tunnel alike). */
  get callsTaken(): number {
    return this.#gate.taken;
  }

  get port(): number {
    return this.#port;
  }

  /** Builds the app from what is registered now and listens; port 0 picks a free one. */
  async listen(port: number): Promise<number> {
    if (this.#listenSocket !== undefined) throw new Error("already listening");
    const app = uWS.App();
    const httpFrames = new FrameHandler(this.dispatcher, this.#gate, "http", this.limits);
    app.ws(this.#options.wsPath ?? "/ws", wsBehavior(this.#ws));
    if (this.#tunnel !== undefined) app.ws(this.#options.tunnel?.path ?? "/tunnel", wsBehavior(this.#tunnel));
    const http: HttpState = { limits: this.limits, cors: this.#options.cors === undefined ? undefined : new Cors(this.#options.cors), active: 0 };
    addRpcEndpoint(app, this.#options.rpcPath ?? "/rpc", httpFrames, http);
    httpFrames.patterns = this.#patterns;
    if (this.#patterns !== undefined) addPatternEndpoint(app, this.#patterns, httpFrames, this.limits);
    if (this.#options.rest !== false) addRestRoutes(app, this.dispatcher.routes(), httpFrames, http);
    for (const [path, handler] of this.#gets) app.get(path, handler);
    addNotFound(app, http);
    const host = this.#options.host ?? "0.0.0.0";
    return new Promise((resolve, reject) => {
      app.listen(host, port, (socket) => {
        if (socket === false) {
          reject(new Error(`cannot listen on ${host}:${port}`));
          return;
        }
        this.#listenSocket = socket;
        this.#port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
        resolve(this.#port);
      });
    });
  }

  /**
   * Graceful shutdown: stop accepting connections and calls (new ones get UNAVAILABLE), wait for
   * calls in flight (up to limits.shutdownTimeoutMs), then close every WebSocket with 1001.
   */
  shutdown(): Promise<void> {
    this.#shutdown ??= this.#drain();
    return this.#shutdown;
  }

  async #drain(): Promise<void> {
    this.#gate.close();
    if (this.#listenSocket !== undefined) {
      uWS.us_listen_socket_close(this.#listenSocket);
      this.#listenSocket = undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.limits.shutdownTimeoutMs);
    });
    // Streams may be endless (subscriptions): they end now, each with UNAVAILABLE.
    for (const conn of this.#ws.connections.values()) if (conn.streams !== undefined) for (const s of [...conn.streams.values()]) s.shutDown();
    await Promise.race([this.#gate.idle(), timeout]);
    clearTimeout(timer);
    for (const conn of [...this.#ws.connections.values(), ...(this.#tunnel?.connections.values() ?? [])]) conn.close(1001, "server shutting down");
  }
}
