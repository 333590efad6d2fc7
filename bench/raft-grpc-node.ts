// One rony-ts Raft key/value server for the bench, as its own process. It serves etcd's KV.Put
// and KV.Range over gRPC (grpc-js), so the bench drives it and etcd with the very same client,
// and /status over HTTP. Usage: raft-grpc-node.ts '<json config>'; prints READY.
import * as grpc from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";
import { isRaftError } from "../runtime/raft/core/errors.js";
import { startKvHttpServer } from "../runtime/raft/kv/kv-http-server.js";
import { KvNode } from "../runtime/raft/kv/kv-node.js";
import type { PeerAddress } from "../runtime/raft/transport/tcp-transport.js";
import type { PutRequest, PutResponse, RangeRequest, RangeResponse } from "./raft-etcd-api.js";
import { loadKvService } from "./raft-etcd-api.js";

interface Config {
  id: number;
  dataDir: string;
  raftPorts: Record<string, number>;
  grpcPort: number;
  httpPort: number;
  tickMs: number;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;
const peers = new Map<number, PeerAddress>(Object.entries(cfg.raftPorts).map(([id, port]) => [Number(id), { host: "127.0.0.1", port }]));
const kv = await KvNode.start({ id: cfg.id, dataDir: cfg.dataDir, peers, bootstrap: [...peers.keys()], tickMs: cfg.tickMs });
await startKvHttpServer(kv, cfg.httpPort);

// etcd's Put carries no client session: this server is the session, one sequence per request
const clientId = randomBytes(6).toString("hex");
let seq = 0;

const toStatus = (e: unknown): grpc.ServiceError => {
  const err = new Error(e instanceof Error ? e.message : String(e)) as grpc.ServiceError;
  err.code = isRaftError(e, "NOT_LEADER") ? grpc.status.FAILED_PRECONDITION : grpc.status.UNAVAILABLE;
  return err;
};

const server = new grpc.Server();
server.addService(loadKvService().service, {
  Put: (call: grpc.ServerUnaryCall<PutRequest, PutResponse>, cb: grpc.sendUnaryData<PutResponse>) => {
    kv.put(clientId, ++seq, call.request.key.toString("latin1"), call.request.value.toString("latin1")).then(
      (r) => cb(null, { header: { revision: r.revision, raft_term: kv.raft.status().term, member_id: cfg.id, cluster_id: 1 } }),
      (e: unknown) => cb(toStatus(e)),
    );
  },
  Range: (call: grpc.ServerUnaryCall<RangeRequest, RangeResponse>, cb: grpc.sendUnaryData<RangeResponse>) => {
    const key = call.request.key.toString("latin1");
    kv.get(key).then(
      (v) => cb(null, { kvs: v === undefined ? [] : [{ key: call.request.key, value: Buffer.from(v, "latin1") }], count: v === undefined ? 0 : 1 }),
      (e: unknown) => cb(toStatus(e)),
    );
  },
});
await new Promise<void>((resolve, reject) =>
  server.bindAsync(`127.0.0.1:${cfg.grpcPort}`, grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
);
process.stdout.write("READY\n");
