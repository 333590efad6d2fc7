// What GET /cluster/status.json answers, and how it is put together: the registry says which nodes
// exist and where; each node's own answer to NodeStats (or its failure to answer in time) says what
// it is doing now. Only live answers decide a replica set's leader, so a killed leader leaves the
// page as soon as it stops answering, whatever a registry without expiry still lists.
import type { NodeAnnouncement } from "../../registry/index.js";
import { SlotRanges } from "../slots/slot-ranges.js";
import type { NodeStats } from "./node-stats.js";

export const STATUS_FORMAT = 1;

export interface NodeStatus {
  /** Registry id: "<replicaSet>:<raftId>". */
  readonly id: string;
  readonly replicaSet: string;
  /** host:port of its edge: its own status page is at http://<edgeAddress>/cluster. */
  readonly edgeAddress: string;
  /** It answered NodeStats within the timeout (the answering node always has). */
  readonly reachable: boolean;
  /** Why it is unreachable; "" when reachable. */
  readonly error: string;
  /** Its live role; when unreachable, the role of its last answer (or of its announcement). */
  readonly role: string;
  /** The term it last announced to the registry. */
  readonly leaderTerm: number;
  /** Its live term; when unreachable, the term of its last answer (or of its announcement). */
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly callsPerSecond: number;
  readonly runPerSecond: number;
  readonly slots: string;
  readonly slotEpoch: number;
}

export interface ReplicaSetStatus {
  readonly id: string;
  /** Registry id of the reachable member leading at the highest term, "" when none does. */
  readonly leader: string;
  /** The leader's term; without a leader, the highest term a reachable member is in. */
  readonly term: number;
  /** The leader's indexes; without a leader, the highest a reachable member has. */
  readonly commitIndex: number;
  readonly appliedIndex: number;
  /** The slot table of the member with the highest slot epoch (live answers first, then announcements). */
  readonly slots: string;
  readonly slotCount: number;
  readonly slotEpoch: number;
  /** Slots frozen while they move away ("" none). */
  readonly moving: string;
  /** Replicated calls the set ran per second: the sum of its members' runPerSecond. */
  readonly callsPerSecond: number;
  readonly members: number;
  readonly reachable: number;
}

export interface ClusterStatus {
  readonly format: typeof STATUS_FORMAT;
  /** When it was put together (ISO 8601). */
  readonly at: string;
  /** The node that answered. */
  readonly self: string;
  /** Sorted by replica set, then id. */
  readonly nodes: readonly NodeStatus[];
  /** Sorted by id. */
  readonly replicaSets: readonly ReplicaSetStatus[];
  /** Slots some replica set serves (16384 when the whole key space is served). */
  readonly slotsServed: number;
}

/** The announcement fields the status reads; slots and slotEpoch are left out by older entries. */
export type AnnouncedNode = Pick<NodeAnnouncement, "id" | "replicaSet" | "edgeAddress" | "role" | "leaderTerm"> & {
  readonly slots?: string;
  readonly slotEpoch?: number;
};

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, "en", { numeric: true });

/**
 * `live` holds every node's NodeStats or the error it failed with; `self` is the answering node's
 * own (it need not be announced yet). Nodes neither announced nor `self` are left out. A node
 * that failed is shown with the role and term of its last answer in `lastSeen`, else as announced.
 */
export function assembleClusterStatus(
  self: NodeStats & { readonly edgeAddress: string },
  announced: Iterable<AnnouncedNode>,
  live: ReadonlyMap<string, NodeStats | Error>,
  options: { readonly lastSeen?: ReadonlyMap<string, NodeStats>; readonly at?: Date } = {},
): ClusterStatus {
  const nodes = new Map<string, AnnouncedNode>();
  for (const a of announced) nodes.set(a.id, a);
  if (!nodes.has(self.id)) nodes.set(self.id, { ...self, leaderTerm: self.role === "leader" ? self.term : 0, role: self.role === "pre-candidate" ? "candidate" : self.role });
  const answers = new Map(live);
  answers.set(self.id, self);

  const statuses = [...nodes.values()].map((a) => nodeStatus(a, answers.get(a.id), options.lastSeen?.get(a.id))).sort((a, b) => a.replicaSet.localeCompare(b.replicaSet, "en", { numeric: true }) || byId(a, b));
  const sets = new Map<string, { announced: AnnouncedNode[]; live: NodeStats[]; statuses: NodeStatus[] }>();
  for (const s of statuses) {
    if (s.replicaSet === "") continue;
    let set = sets.get(s.replicaSet);
    if (set === undefined) sets.set(s.replicaSet, (set = { announced: [], live: [], statuses: [] }));
    set.announced.push(nodes.get(s.id)!);
    set.statuses.push(s);
    const answer = answers.get(s.id);
    if (answer !== undefined && !(answer instanceof Error)) set.live.push(answer);
  }
  const replicaSets = [...sets.entries()].map(([id, set]) => replicaSetStatus(id, set.announced, set.live, set.statuses)).sort(byId);
  let served = SlotRanges.NONE;
  for (const set of replicaSets) served = served.union(SlotRanges.parse(set.slots));
  return { format: STATUS_FORMAT, at: (options.at ?? new Date()).toISOString(), self: self.id, nodes: statuses, replicaSets, slotsServed: served.count };
}

function nodeStatus(a: AnnouncedNode, answer: NodeStats | Error | undefined, last: NodeStats | undefined): NodeStatus {
  const base = { id: a.id, replicaSet: a.replicaSet, edgeAddress: a.edgeAddress, leaderTerm: a.leaderTerm };
  if (answer === undefined || answer instanceof Error) {
    return {
      ...base,
      reachable: false,
      error: answer?.message ?? "not asked",
      role: last?.role ?? a.role,
      term: last?.term ?? a.leaderTerm,
      commitIndex: 0,
      appliedIndex: 0,
      callsPerSecond: 0,
      runPerSecond: 0,
      slots: a.slots ?? "",
      slotEpoch: a.slotEpoch ?? 0,
    };
  }
  return {
    ...base,
    reachable: true,
    error: "",
    role: answer.role,
    term: answer.term,
    commitIndex: answer.commitIndex,
    appliedIndex: answer.appliedIndex,
    callsPerSecond: answer.callsPerSecond,
    runPerSecond: answer.runPerSecond,
    slots: answer.slots,
    slotEpoch: answer.slotEpoch,
  };
}

function replicaSetStatus(id: string, announced: readonly AnnouncedNode[], live: readonly NodeStats[], statuses: readonly NodeStatus[]): ReplicaSetStatus {
  let leader: NodeStats | undefined;
  for (const n of live) if (n.role === "leader" && (leader === undefined || n.term > leader.term)) leader = n;
  const highest = (f: (n: NodeStats) => number) => live.reduce((m, n) => Math.max(m, f(n)), 0);
  // The slot table: a live answer beats an announcement at the same epoch (it is newer).
  let table: { slots: string; slotEpoch: number; moving: string } | undefined;
  for (const n of live) if (table === undefined || n.slotEpoch > table.slotEpoch) table = n;
  for (const a of announced) if (a.slots !== undefined && (table === undefined || (a.slotEpoch ?? 0) > table.slotEpoch)) table = { slots: a.slots, slotEpoch: a.slotEpoch ?? 0, moving: "" };
  const slots = table?.slots ?? "";
  return {
    id,
    leader: leader?.id ?? "",
    term: leader?.term ?? highest((n) => n.term),
    commitIndex: leader?.commitIndex ?? highest((n) => n.commitIndex),
    appliedIndex: leader?.appliedIndex ?? highest((n) => n.appliedIndex),
    slots,
    slotCount: SlotRanges.parse(slots).count,
    slotEpoch: table?.slotEpoch ?? 0,
    moving: table?.moving ?? "",
    callsPerSecond: Math.round(live.reduce((sum, n) => sum + n.runPerSecond, 0) * 10) / 10,
    members: statuses.length,
    reachable: statuses.filter((s) => s.reachable).length,
  };
}
