// One rony-ts Raft key/value server for the bench, as its own process. It serves etcd's KV.Put
// and KV.Range as gRPC over node:http2 (the unary protocol is small: a 5-byte length prefix,
// then the protobuf, then grpc-status in trailers), so the bench drives it and etcd with the very
// same grpc-js client. Also /status over HTTP/1. Usage: raft-grpc-node.ts '<json config>'; prints READY.
import { randomBytes } from "node:crypto";
import type { ServerHttp2Stream } from "node:http2";
import { constants, createServer } from "node:http2";
import { isRaftError } from "../runtime/raft/core/errors.js";
import { startKvHttpServer } from "../runtime/raft/kv/kv-http-server.js";
import { KvNode } from "../runtime/raft/kv/kv-node.js";
import type { PeerAddress } from "../runtime/raft/transport/tcp-transport.js";
import type { PutRequest, RangeRequest } from "./raft-etcd-api.js";
import { kvMethods } from "./raft-etcd-api.js";

interface Config {
  id: number;
  dataDir: string;
  secret: string;
  raftPorts: Record<string, number>;
  grpcPort: number;
  httpPort: number;
  tickMs: number;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;
const peers = new Map<number, PeerAddress>(Object.entries(cfg.raftPorts).map(([id, port]) => [Number(id), { host: "127.0.0.1", port }]));
const kv = await KvNode.start({ id: cfg.id, dataDir: cfg.dataDir, secret: cfg.secret, peers, bootstrap: [...peers.keys()], tickMs: cfg.tickMs });
await startKvHttpServer(kv, cfg.httpPort);
const methods = kvMethods();

// etcd's Put carries no client session: this server is the session, one sequence per request.
// Sound here because this server proposes in sequence order to one leader and never retries.
const clientId = randomBytes(6).toString("hex");
let seq = 0;

const GRPC_OK = "0";
const GRPC_FAILED_PRECONDITION = "9";
const GRPC_UNAVAILABLE = "14";
const GRPC_UNIMPLEMENTED = "12";

const finish = (stream: ServerHttp2Stream, status: string, message: string, body?: Buffer): void => {
  if (stream.destroyed) return;
  stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" }, { waitForTrailers: true });
  stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": status, "grpc-message": encodeURIComponent(message) }));
  if (body) {
    const framed = Buffer.allocUnsafe(5 + body.length);
    framed.writeUInt8(0, 0);
    framed.writeUInt32BE(body.length, 1);
    body.copy(framed, 5);
    stream.end(framed);
  } else {
    stream.end();
  }
};

const fail = (stream: ServerHttp2Stream, e: unknown): void =>
  finish(stream, isRaftError(e, "NOT_LEADER") ? GRPC_FAILED_PRECONDITION : GRPC_UNAVAILABLE, e instanceof Error ? e.message : String(e));

const handle = (stream: ServerHttp2Stream, path: string, frame: Buffer): void => {
  const msg = frame.subarray(5, 5 + frame.readUInt32BE(1));
  if (path === "/etcdserverpb.KV/Put") {
    const req = methods.Put.requestDeserialize(msg) as PutRequest;
    kv.put(clientId, ++seq, req.key.toString("latin1"), req.value.toString("latin1")).then(
      (r) =>
        finish(stream, GRPC_OK, "", methods.Put.responseSerialize({ header: { revision: r.revision, raft_term: kv.raft.status().term, member_id: cfg.id, cluster_id: 1 } })),
      (e: unknown) => fail(stream, e),
    );
  } else if (path === "/etcdserverpb.KV/Range") {
    const req = methods.Range.requestDeserialize(msg) as RangeRequest;
    kv.get(req.key.toString("latin1")).then(
      (v) => finish(stream, GRPC_OK, "", methods.Range.responseSerialize({ kvs: v === undefined ? [] : [{ key: req.key, value: Buffer.from(v, "latin1") }], count: v === undefined ? 0 : 1 })),
      (e: unknown) => fail(stream, e),
    );
  } else {
    finish(stream, GRPC_UNIMPLEMENTED, `unknown method ${path}`);
  }
};

const server = createServer();
// small responses must not wait for the client's delayed ACK
server.on("connection", (socket: import("node:net").Socket) => socket.setNoDelay(true));
server.on("stream", (stream, headers) => {
  const path = String(headers[constants.HTTP2_HEADER_PATH] ?? "");
  const chunks: Buffer[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c));
  stream.on("end", () => {
    const frame = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (frame.length < 5) return finish(stream, GRPC_UNAVAILABLE, "short gRPC frame");
    handle(stream, path, frame);
  });
  stream.on("error", () => stream.destroy());
});
await new Promise<void>((resolve, reject) => {
  server.once("error", reject);
  server.listen(cfg.grpcPort, "127.0.0.1", () => resolve());
});
process.on("SIGTERM", () => {
  server.close();
  void kv.stop().finally(() => process.exit(0));
});
process.stdout.write("READY\n");
