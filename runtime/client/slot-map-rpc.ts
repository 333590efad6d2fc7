// `rony.cluster.Slots.Map`: any node of a sharded cluster answers with the slot map it knows and
// the nodes of each replica set, so a client can send a sharded call straight to its owner
// (ClusterTransport's slot routing). Hand-written: a small JSON message, every field checked on
// decode, since a client must not trust what a node (or something posing as one) sends.
import { ErrorCode, RonyError, type MessageCodec, type MethodDescriptor } from "../rpc/index.js";

/** A caller that follows WRONG_SHARD redirects asks a node for them with this header ("1"). */
export const SHARD_REDIRECT_HEADER = "rony-shard-redirect";

export interface SlotMapNode {
  /** Registry id, "<replicaSet>:<raftId>". */
  readonly id: string;
  /** WebSocket URL of its edge (ws://host:port/ws) and its HTTP base URL. */
  readonly ws: string;
  readonly http: string;
}

export interface SlotMapReply {
  /** The highest slot epoch the answering node knows. */
  readonly epoch: number;
  /** [first, last, replicaSet]: inclusive ranges, sorted; slots no set is known to own are left out. */
  readonly ranges: readonly (readonly [number, number, number])[];
  /** Each replica set's nodes, its leader (as last announced) first. */
  readonly replicaSets: readonly { readonly id: number; readonly nodes: readonly SlotMapNode[] }[];
}

const SLOTS = 16384;
const MAX_SETS = 4096;
const MAX_NODES = 64;
const MAX_URL = 2048;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

function bad(why: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `slot map: ${why}`);
}

const isCount = (n: unknown, max: number): n is number => typeof n === "number" && Number.isSafeInteger(n) && n >= 0 && n <= max;
const isUrl = (s: unknown, schemes: RegExp): s is string => typeof s === "string" && s.length <= MAX_URL && schemes.test(s);

/** Checks every field of something that claims to be a slot map. */
export function validateSlotMap(value: unknown): SlotMapReply {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not an object");
  const v = value as Record<string, unknown>;
  if (!isCount(v["epoch"], Number.MAX_SAFE_INTEGER)) throw bad("epoch must be a non-negative integer");
  const rawRanges = v["ranges"];
  if (!Array.isArray(rawRanges) || rawRanges.length > SLOTS) throw bad(`ranges must be an array of at most ${SLOTS}`);
  let next = 0;
  const ranges = rawRanges.map((r: unknown) => {
    if (!Array.isArray(r) || r.length !== 3 || !isCount(r[0], SLOTS - 1) || !isCount(r[1], SLOTS - 1) || !isCount(r[2], 0xffff_ffff) || r[2] === 0) {
      throw bad("each range must be [first, last, replicaSet] with slots in 0..16383 and a replica set > 0");
    }
    if (r[0] < next || r[1] < r[0]) throw bad("ranges must be sorted and not overlap");
    next = r[1] + 1;
    return [r[0], r[1], r[2]] as const;
  });
  const rawSets = v["replicaSets"];
  if (!Array.isArray(rawSets) || rawSets.length > MAX_SETS) throw bad(`replicaSets must be an array of at most ${MAX_SETS}`);
  const replicaSets = rawSets.map((s: unknown) => {
    const set = s as { id?: unknown; nodes?: unknown } | null;
    if (typeof set !== "object" || set === null || !isCount(set.id, 0xffff_ffff) || !Array.isArray(set.nodes) || set.nodes.length > MAX_NODES) {
      throw bad(`each replica set must be {id, nodes} with at most ${MAX_NODES} nodes`);
    }
    const nodes = set.nodes.map((n: unknown) => {
      const node = n as { id?: unknown; ws?: unknown; http?: unknown } | null;
      if (typeof node !== "object" || node === null || typeof node.id !== "string" || node.id.length > 128 || !isUrl(node.ws, /^wss?:\/\//) || !isUrl(node.http, /^https?:\/\//)) {
        throw bad("each node must be {id, ws: ws(s)://…, http: http(s)://…}");
      }
      return { id: node.id, ws: node.ws, http: node.http };
    });
    return { id: set.id, nodes };
  });
  return { epoch: v["epoch"], ranges, replicaSets };
}

function jsonCodec<T>(validate: (value: unknown) => T): MessageCodec<T> {
  return {
    encode: (message) => {
      const bytes = utf8.encode(JSON.stringify(message));
      return { finish: () => bytes };
    },
    decode: (input) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(fromUtf8.decode(input));
      } catch {
        throw bad("not UTF-8 JSON");
      }
      return validate(parsed);
    },
    fromJSON: validate,
    toJSON: (message) => message,
    fromPartial: (object) => validate(object),
  };
}

export type SlotMapRequest = Record<string, never>;

/** Constructor ids are FNV-1a of the full names, as generated ones are. */
export const SLOT_MAP: MethodDescriptor<SlotMapRequest, SlotMapReply> = {
  service: "rony.cluster.Slots",
  name: "Map",
  constructorId: 0x2034fcc8,
  input: jsonCodec<SlotMapRequest>((value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("the request must be an object");
    return {};
  }),
  output: jsonCodec(validateSlotMap),
  outputConstructorId: 0x7a5aa6af,
  internal: false,
  readOnly: true,
  followerOk: true,
  replication: "none",
  timeoutMs: 0,
  pattern: "",
  http: undefined,
};
