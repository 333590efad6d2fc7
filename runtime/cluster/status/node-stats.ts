// The live figures of one node, and the internal rpc every node of a cluster serves them on:
// `rony.cluster.Status.NodeStats`, reachable only through the tunnel (the edge refuses internal
// rpcs from clients). Hand-written: its messages are small JSON objects rather than protobuf, so
// the status page's JSON and the rpc share one shape; every field is checked on decode.
import { ErrorCode, RonyError, type MessageCodec, type MethodDescriptor } from "../../rpc/index.js";
import { SlotRanges } from "../slots/slot-ranges.js";

export const NODE_ROLES = ["leader", "follower", "candidate", "pre-candidate"] as const;
export type NodeStatsRole = (typeof NODE_ROLES)[number];

export interface NodeStats {
  /** Registry id: "<replicaSet>:<raftId>". */
  readonly id: string;
  readonly replicaSet: string;
  readonly role: NodeStatsRole;
  readonly term: number;
  /** Registry id of the leader this node follows (itself when leading), "" while it knows none. */
  readonly leader: string;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** Calls its edge took per second: from clients, and from peers through the tunnel (NodeStats left out). */
  readonly callsPerSecond: number;
  /** Replicated calls it ran per second for its replica set: writes it led, reads it answered. */
  readonly runPerSecond: number;
  /** Slot ranges its replica set serves, as this node last applied them ("" none). */
  readonly slots: string;
  /** Highest slot epoch this node applied (0 none). */
  readonly slotEpoch: number;
  /** Slot ranges frozen while they move to another replica set ("" none). */
  readonly moving: string;
}

/** The request carries nothing: a node answers with its own figures. */
export type NodeStatsRequest = Record<string, never>;

const MAX_TEXT = 65_536;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

function bad(why: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, `NodeStats: ${why}`);
}

/** Checks every field of something that claims to be a NodeStats. */
export function validateNodeStats(value: unknown): NodeStats {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("not an object");
  const v = value as Record<string, unknown>;
  const text = (name: string): string => {
    const s = v[name];
    if (typeof s !== "string" || s.length > MAX_TEXT) throw bad(`${name} must be a string of at most ${MAX_TEXT} characters`);
    return s;
  };
  const count = (name: string): number => {
    const n = v[name];
    if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw bad(`${name} must be a non-negative integer`);
    return n;
  };
  const rate = (name: string): number => {
    const n = v[name];
    if (typeof n !== "number" || !Number.isFinite(n) || n < 0) throw bad(`${name} must be a non-negative number`);
    return n;
  };
  const slots = (name: string): string => {
    const raw = text(name);
    try {
      return SlotRanges.parse(raw).toString();
    } catch (e) {
      throw bad(`${name}: ${(e as Error).message}`);
    }
  };
  const role = text("role");
  if (!(NODE_ROLES as readonly string[]).includes(role)) throw bad(`role "${role.slice(0, 40)}" is not one of ${NODE_ROLES.join(", ")}`);
  return {
    id: text("id"),
    replicaSet: text("replicaSet"),
    role: role as NodeStatsRole,
    term: count("term"),
    leader: text("leader"),
    commitIndex: count("commitIndex"),
    appliedIndex: count("appliedIndex"),
    callsPerSecond: rate("callsPerSecond"),
    runPerSecond: rate("runPerSecond"),
    slots: slots("slots"),
    slotEpoch: count("slotEpoch"),
    moving: slots("moving"),
  };
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

const requestCodec = jsonCodec<NodeStatsRequest>((value) => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("the request must be an object");
  return {};
});

/** `rony.cluster.Status.NodeStats`: constructor ids are FNV-1a of the full names, as generated ones. */
export const NODE_STATS: MethodDescriptor<NodeStatsRequest, NodeStats> = {
  service: "rony.cluster.Status",
  name: "NodeStats",
  constructorId: 0x707dca48,
  input: requestCodec,
  output: jsonCodec(validateNodeStats),
  outputConstructorId: 0x33a2f5ae,
  internal: true,
  readOnly: true,
  followerOk: true,
  replication: "none",
  timeoutMs: 0,
  pattern: "",
  http: undefined,
};
