// Who is in the cluster and where, and which go-nano patterns each node serves. One interface,
// two engines: a static list (a config file, or in-memory for one process) and Redis (TTL
// heartbeats, changes pushed by pub/sub). The cluster's membership and the pattern routes share
// it, so a node announces itself once with everything others need to reach it.
import type { RegistryError } from "./errors.js";

/** A node's part in its replica set; "standalone" outside any. */
export type NodeRole = "leader" | "follower" | "candidate" | "standalone";

export const NODE_ROLES: readonly NodeRole[] = ["leader", "follower", "candidate", "standalone"];

export interface NodeAnnouncement {
  /** Unique in the cluster: letters, digits and "_.:-", at most 128 characters. */
  readonly id: string;
  /** The replica set it belongs to, "" when none. */
  readonly replicaSet: string;
  /** host:port of its edge (HTTP and WebSocket). */
  readonly edgeAddress: string;
  /** host:port of its cluster tunnel, "" when it has none. */
  readonly tunnelAddress: string;
  readonly role: NodeRole;
  /** The Raft term it last saw a leader in (0 outside a replica set). */
  readonly leaderTerm: number;
  /** The go-nano patterns it serves, in canonical form (pairs sorted by key). */
  readonly patterns: readonly string[];
  /**
   * The slots its replica set serves, as this node last applied them: ranges such as
   * "0-8191,9000" (sorted, merged, inclusive), "" for none. Entries written without it read as "".
   */
  readonly slots: string;
  /** The highest slot epoch its replica set applied (0 for none; entries without it read as 0). */
  readonly slotEpoch: number;
}

/** What a node announces: the slot fields may be left out (a node outside any sharded cluster). */
export type Announcement = Omit<NodeAnnouncement, "slots" | "slotEpoch"> & Partial<Pick<NodeAnnouncement, "slots" | "slotEpoch">>;

/** One node appeared (before undefined), changed, or left (after undefined). */
export interface RegistryChange {
  readonly id: string;
  readonly before: NodeAnnouncement | undefined;
  readonly after: NodeAnnouncement | undefined;
}

export type RegistryListener = (change: RegistryChange) => void;

export interface Registry {
  /** Loads the current view and starts following changes. */
  start(): Promise<void>;
  /** Publishes this process's node, or updates it; kept alive until withdraw() or close(). */
  announce(node: Announcement): Promise<void>;
  /** Removes a node this process announced. */
  withdraw(id: string): Promise<void>;
  /** The nodes known now, by id. Refused entries never appear here. */
  nodes(): ReadonlyMap<string, NodeAnnouncement>;
  /** Called on every change of the view; returns the unsubscribe function. */
  watch(listener: RegistryListener): () => void;
  /** Refused entries and engine failures (the view is kept as it was); default console.warn. */
  onError: (error: RegistryError) => void;
  /** Stops heartbeats and watching; announced nodes are withdrawn. */
  close(): Promise<void>;
}
