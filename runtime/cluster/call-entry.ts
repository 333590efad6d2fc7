// A replicated call as a Raft log entry: which rpc, its encoded input, the caller's session
// (exactly-once retries) and what the handler may not take from its own node — time, a random
// seed, the headers — so that every replica computes the same result.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";

const FORMAT = 1;

export interface CallEntry {
  readonly constructorId: number;
  readonly payload: Uint8Array;
  /** The caller's session id ("" without one: no deduplication). */
  readonly client: string;
  /** The call's number in its session; retries of one call carry the same. */
  readonly seq: number;
  /** The leader's clock when it proposed the call, ms since the epoch. */
  readonly timeMs: number;
  readonly seed: number;
  readonly headers: Readonly<Record<string, string>>;
}

export function encodeCallEntry(call: CallEntry): Uint8Array {
  const w = new BinaryWriter();
  w.uint32(FORMAT).fixed32(call.constructorId).bytes(call.payload).string(call.client).double(call.seq).double(call.timeMs).fixed32(call.seed);
  const keys = Object.keys(call.headers);
  w.uint32(keys.length);
  for (const k of keys) w.string(k).string(call.headers[k]!);
  return w.finish();
}

/** Throws on bytes that are not a call entry of a format this node knows. */
export function decodeCallEntry(data: Uint8Array): CallEntry {
  const r = new BinaryReader(data);
  const format = r.uint32();
  if (format !== FORMAT) throw new Error(`call entry format ${format} is not known to this node (it knows ${FORMAT})`);
  const constructorId = r.fixed32();
  const payload = r.bytes();
  const client = r.string();
  const seq = r.double();
  const timeMs = r.double();
  const seed = r.fixed32();
  const headers = Object.create(null) as Record<string, string>;
  for (let n = r.uint32(); n > 0; n--) headers[r.string()] = r.string();
  return { constructorId, payload, client, seq, timeMs, seed, headers };
}
