// Loads the etcd KV service definition shared by the bench's client and the rony-ts bench server.
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const PROTO = fileURLToPath(new URL("./raft-etcd-kv.proto", import.meta.url));

export interface PutRequest {
  key: Buffer;
  value: Buffer;
}
export interface PutResponse {
  header: { revision: number; raft_term: number; member_id: number; cluster_id: number };
}
export interface RangeRequest {
  key: Buffer;
}
export interface RangeResponse {
  kvs: { key: Buffer; value: Buffer }[];
  count: number;
}

const load = () => protoLoader.loadSync(PROTO, { longs: Number, defaults: true, keepCase: true });

/** The serializers grpc-js itself would use, for a server written on node:http2 directly. */
export const kvMethods = (): Record<"Put" | "Range", protoLoader.MethodDefinition<object, object>> => {
  const svc = load()["etcdserverpb.KV"] as unknown as Record<"Put" | "Range", protoLoader.MethodDefinition<object, object>>;
  return svc;
};

export const loadKvService = (): grpc.ServiceClientConstructor => {
  const def = load();
  const pkg = grpc.loadPackageDefinition(def) as unknown as { etcdserverpb: { KV: grpc.ServiceClientConstructor } };
  return pkg.etcdserverpb.KV;
};
