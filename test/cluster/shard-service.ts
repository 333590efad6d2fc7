// A sharded service for the cluster tests, hand-written (descriptors as generated code makes them,
// JSON messages): Shards.Write runs as a log entry on the replica set owning its key's slot and
// answers which set and node ran it; Shards.Read is its read-only twin. The answer is what a test
// needs to see that a call reached its owner.
import { ErrorCode, RonyError, type MessageCodec, type MethodDescriptor } from "rony-ts/runtime";

export interface ShardInput {
  readonly key: string;
}

export interface ShardOutput {
  readonly key: string;
  readonly replicaSet: number;
  /** Raft id of the replica whose run answered (the leader's, for a write). */
  readonly node: number;
  /** Writes this replica applied for the key, this one included. */
  readonly writes: number;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

function codec<T>(check: (v: Record<string, unknown>) => T): MessageCodec<T> {
  const validate = (v: unknown) => {
    if (typeof v !== "object" || v === null) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "not an object");
    return check(v as Record<string, unknown>);
  };
  return {
    encode: (m) => {
      const bytes = utf8.encode(JSON.stringify(m));
      return { finish: () => bytes };
    },
    decode: (b) => validate(JSON.parse(fromUtf8.decode(b))),
    fromJSON: validate,
    toJSON: (m) => m,
    fromPartial: (o) => validate(o),
  };
}

const input = codec<ShardInput>((v) => ({ key: String(v["key"]) }));
const output = codec<ShardOutput>((v) => ({ key: String(v["key"]), replicaSet: Number(v["replicaSet"]), node: Number(v["node"]), writes: Number(v["writes"]) }));

function method(name: string, constructorId: number, readOnly: boolean): MethodDescriptor<ShardInput, ShardOutput> {
  return {
    service: "test.shards.Shards",
    name,
    constructorId,
    input,
    output,
    outputConstructorId: 0x5a4d0001,
    internal: false,
    readOnly,
    followerOk: false,
    replication: "sharded",
    shardKey: (i) => i.key,
    timeoutMs: 0,
    pattern: "",
    http: undefined,
  };
}

export const SHARD_WRITE = method("Write", 0x5a4d0002, false);
export const SHARD_READ = method("Read", 0x5a4d0003, true);

/** The handlers of one replica: a count of writes per key, in memory (the test needs no more). */
export function shardHandlers(replicaSet: number, node: number) {
  const writes = new Map<string, number>();
  return {
    write: async ({ key }: ShardInput): Promise<ShardOutput> => {
      const n = (writes.get(key) ?? 0) + 1;
      writes.set(key, n);
      return { key, replicaSet, node, writes: n };
    },
    read: async ({ key }: ShardInput): Promise<ShardOutput> => ({ key, replicaSet, node, writes: writes.get(key) ?? 0 }),
  };
}
