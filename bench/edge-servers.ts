// One benchmark target per process: `node --conditions=source --import tsx bench/edge-servers.ts <peer>`.
// Prints "PORTS <ws-or-h1> <h2>" when listening, serves until SIGTERM, then prints "SERVED <n>"
// (calls its handler ran) so the bench can check that replies were real replies.
//   rony      the rony-ts edge (uWebSockets.js): WebSocket RPC, REST POST /echo
//   rony-metrics  the same with EdgeMetrics attached (/metrics, docs/operate.md): what metrics cost
//   uws-raw   uWebSockets.js echoing the same bytes back: the limit for WebSocket and HTTP
//   ws        the same rony FrameHandler behind `ws` + node:http (REST on node:http)
//   connect   @connectrpc/connect-node: HTTP/1.1 (connect protocol, JSON or binary) and h2c
//   grpc      @grpc/grpc-js unary over h2c
import { createServer as createHttp1, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttp2 } from "node:http2";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import uWS from "uWebSockets.js";
import { WebSocketServer, type WebSocket } from "ws";
import { CallGate, Dispatcher, EdgeServer, FrameHandler, type Peer } from "rony-ts/runtime";
import { EdgeMetrics } from "rony-ts/runtime/operate";
import { registerEcho, type EchoServer } from "../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest } from "../generated/examples/echo.js";

let served = 0;

/**
 * The same handler for every peer: echo the fields and stamp the time. It answers with a plain
 * value, as a handler that does not wait may (connect-node's handler API is promise-based).
 */
const echo: EchoServer = {
  say(input) {
    served++;
    return { intValue: input.intValue, boolValue: input.boolValue, text: input.text, serverTime: BigInt(Date.now()) };
  },
  ping() {
    return { nodeId: "bench" };
  },
};

function ready(...ports: number[]): void {
  console.log(`PORTS ${ports.join(" ")}`);
}

process.on("SIGTERM", () => {
  console.log(`SERVED ${served}`);
  process.exit(0);
});

async function rony(withMetrics = false): Promise<void> {
  const server = new EdgeServer({ host: "127.0.0.1", limits: { maxInFlightPerConnection: 1024 } });
  registerEcho(server, echo);
  if (withMetrics) new EdgeMetrics().attach(server);
  ready(await server.listen(0));
}

function uwsRaw(): void {
  const app = uWS.App();
  app.ws("/ws", {
    maxPayloadLength: 1024 * 1024,
    message(ws, message, isBinary) {
      served++;
      ws.send(message, isBinary);
    },
  });
  app.post("/echo", (res) => {
    const state = { aborted: false };
    res.onAborted(() => {
      state.aborted = true;
    });
    const chunks: Buffer[] = [];
    res.onData((chunk, isLast) => {
      chunks.push(Buffer.from(chunk.slice(0)));
      if (!isLast || state.aborted) return;
      served++;
      res.cork(() => {
        res.writeHeader("content-type", "application/json").end(Buffer.concat(chunks));
      });
    });
  });
  app.listen("127.0.0.1", 0, (socket) => {
    if (socket === false) throw new Error("cannot listen");
    ready(uWS.us_socket_local_port(socket as unknown as uWS.us_socket));
  });
}

/** A Peer over a `ws` socket (frames are the peer's to keep, so ws may queue them as they are). */
class WsPeer implements Peer {
  readonly connection = undefined;
  inFlight = 0;
  constructor(private readonly socket: WebSocket) {}
  admit(): boolean {
    if (this.inFlight >= 1024) return false;
    this.inFlight++;
    return true;
  }
  release(): void {
    this.inFlight--;
  }
  sendBinary(frame: Uint8Array): void {
    this.socket.send(frame);
  }
  sendText(frame: string): void {
    this.socket.send(frame);
  }
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function restEcho(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readAll(req);
  const reply = await echo.say(EchoRequest.fromJSON(JSON.parse(body.toString())), { method: undefined as never, headers: {} });
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(EchoReply.toJSON(reply)));
}

function wsPeer(): void {
  const dispatcher = new Dispatcher();
  registerEcho(dispatcher, echo);
  const frames = new FrameHandler(dispatcher, new CallGate(), "ws");
  const http = createHttp1((req, res) => {
    if (req.method === "POST" && req.url === "/echo") void restEcho(req, res);
    else res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, path: "/ws" });
  wss.on("connection", (socket) => {
    const peer = new WsPeer(socket);
    socket.on("message", (data: Buffer, isBinary) => {
      if (isBinary) frames.binary(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), peer);
      else frames.text(data.toString(), peer);
    });
  });
  http.listen(0, "127.0.0.1", () => ready((http.address() as AddressInfo).port));
}

async function connect(): Promise<void> {
  const { connectNodeAdapter } = await import("@connectrpc/connect-node");
  const { Echo } = await import("./edge-peers/echo_pb.js");
  const handler = connectNodeAdapter({
    routes(router) {
      router.service(Echo, {
        async say(req) {
          served++;
          return { intValue: req.intValue, boolValue: req.boolValue, text: req.text, serverTime: BigInt(Date.now()) };
        },
      });
    },
  });
  const h1 = createHttp1(handler);
  const h2 = createHttp2(handler);
  await new Promise<void>((r) => h1.listen(0, "127.0.0.1", r));
  await new Promise<void>((r) => h2.listen(0, "127.0.0.1", r));
  ready((h1.address() as AddressInfo).port, (h2.address() as AddressInfo).port);
}

async function grpc(): Promise<void> {
  const grpcJs = await import("@grpc/grpc-js");
  const loader = await import("@grpc/proto-loader");
  const def = loader.loadSync(fileURLToPath(new URL("./edge-peers/echo.proto", import.meta.url)), { longs: String, defaults: true });
  const pkg = grpcJs.loadPackageDefinition(def) as unknown as { examples: { echo: { Echo: { service: import("@grpc/grpc-js").ServiceDefinition } } } };
  const server = new grpcJs.Server();
  type Req = { intValue: string; boolValue: boolean; text: string };
  server.addService(pkg.examples.echo.Echo.service, {
    say(call: { request: Req }, callback: (err: null, reply: Req & { serverTime: string }) => void) {
      served++;
      const r = call.request;
      callback(null, { intValue: r.intValue, boolValue: r.boolValue, text: r.text, serverTime: String(Date.now()) });
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpcJs.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  ready(port, port);
}

const peers: Record<string, () => void | Promise<void>> = { rony: () => rony(), "rony-metrics": () => rony(true), "uws-raw": uwsRaw, ws: wsPeer, connect, grpc };
const which = process.argv[2] ?? "";
const start = peers[which];
if (start === undefined) {
  console.error(`unknown peer ${which}; one of ${Object.keys(peers).join(", ")}`);
  process.exit(2);
}
await start();
