// What generated code tells the runtime about services and rpcs. Generated files build these
// objects once at module load; the edge, the clients and the cluster read them, never the .proto.

import type { BinaryWriter } from "@bufbuild/protobuf/wire";

/** The slice of a generated message codec (`Foo.encode`, `Foo.decode` …) the runtime needs. */
export interface MessageCodec<T> {
  /** The codec writes into `writer` when given one, which lets the edge reuse one per server. */
  encode(message: T, writer?: BinaryWriter): { finish(): Uint8Array };
  /**
   * A protobuf-shaped decode, `decode(input: BinaryReader | Uint8Array, length?)` as generated
   * codecs have (two declared parameters), is given a reused BinaryReader by the edge instead.
   */
  decode(input: Uint8Array): T;
  fromJSON(object: unknown): T;
  toJSON(message: T): unknown;
  fromPartial(object: never): T;
}

export type HttpVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** A REST route bound to an rpc by `(rony.rpc).http`. */
export interface HttpBinding {
  readonly method: HttpVerb;
  /** Path template, e.g. "/users/{id}". */
  readonly path: string;
  /** Input fields taken from `{param}` segments, in path order (JSON names). */
  readonly pathParams: readonly string[];
  /** "" (query string), "*" (whole JSON body) or one field's JSON name. */
  readonly body: string;
  /** Bool fields (JSON and proto names): a query or path value "true"/"false" becomes a JSON boolean. */
  readonly boolParams?: readonly string[];
}

export interface MethodDescriptor<I, O> {
  /** Fully-qualified service name, e.g. "examples.echo.Echo". */
  readonly service: string;
  /** The rpc's name in the .proto, e.g. "Say". */
  readonly name: string;
  /** Constructor id of the rpc: what a request envelope carries. */
  readonly constructorId: number;
  readonly input: MessageCodec<I>;
  readonly output: MessageCodec<O>;
  /** Constructor id of the output message: what a reply envelope carries. */
  readonly outputConstructorId: number;
  /** Cluster-only: the edge refuses it. */
  readonly internal: boolean;
  readonly readOnly: boolean;
  readonly followerOk: boolean;
  /** The service's (rony.service).replication: "raft" rpcs run on a replica set (docs/cluster.md). */
  readonly replication: "none" | "raft" | "sharded";
  /**
   * REPLICATION_SHARDED only: reads the service's shard_key field from an input. Its value's slot
   * (runtime/cluster/slots) picks the replica set that owns the call.
   */
  readonly shardKey?: (input: I) => string | number | bigint | boolean | Uint8Array;
  /** Deadline in milliseconds; 0 means the server or client default. */
  readonly timeoutMs: number;
  /** Full go-nano pattern ("role:math,cmd:sum"), or "" when none. */
  readonly pattern: string;
  readonly http: HttpBinding | undefined;
  /** Set on streaming rpcs only (docs/streams.md); unary descriptors leave it out. */
  readonly streaming?: StreamKind;
  /** Streaming rpcs only: constructor id of the input message, what a stream's input frames carry. */
  readonly inputConstructorId?: number;
}

/** server: one input, many outputs; client: many inputs, one output; bidi: many both ways. */
export type StreamKind = "server" | "client" | "bidi";

// Handlers and clients see methods through this erased type; the generic parameters come back
// at the typed edges (generated clients, register<Service>).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variance hole for heterogeneous method tables
export type AnyMethod = MethodDescriptor<any, any>;

export interface ServiceDescriptor {
  /** Fully-qualified service name. */
  readonly name: string;
  readonly methods: Readonly<Record<string, AnyMethod>>;
}

/** One entry of a generated route table: a REST route and the rpc it calls. */
export interface HttpRoute {
  readonly method: HttpVerb;
  readonly path: string;
  readonly rpc: AnyMethod;
}
