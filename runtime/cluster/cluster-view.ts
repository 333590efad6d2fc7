// A node's view of the sharded cluster, kept from the registry: the replica sets, their members
// and leaders, and the slot map built from every member's slot claim plus what MOVED answers
// taught. Entries that make no sense for a sharded cluster (slots that are not ranges, a claim for
// a replica set that is not a number) and conflicting claims are reported through the registry's
// onError and change nothing.
import { RegistryError, type NodeAnnouncement, type Registry } from "../registry/index.js";
import { SlotMap, claimOf, type SlotMapSnapshot } from "./slot-map.js";
import type { SlotElsewhereError } from "./slots/errors.js";
import { SlotRanges } from "./slots/slot-ranges.js";

export interface ReplicaSetView {
  readonly id: number;
  /** Announced members, by id. */
  readonly members: readonly NodeAnnouncement[];
  /** The member announcing itself leader at the highest term, if any. */
  readonly leader: NodeAnnouncement | undefined;
}

/** The view as plain JSON (status pages, clients learning the slot map). */
export interface ClusterViewSnapshot {
  readonly replicaSets: readonly {
    readonly id: number;
    readonly leader: string;
    readonly members: readonly Pick<NodeAnnouncement, "id" | "edgeAddress" | "role" | "leaderTerm" | "slots" | "slotEpoch">[];
  }[];
  readonly slots: SlotMapSnapshot;
}

const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id, "en", { numeric: true });

export class ClusterView {
  readonly slots = new SlotMap();
  readonly #registry: Registry;
  #unwatch: (() => void) | undefined;

  constructor(registry: Registry) {
    this.#registry = registry;
  }

  /** Reads what the registry holds now and follows its changes. */
  start(): void {
    this.#unwatch ??= this.#registry.watch((change) => {
      if (change.after !== undefined) this.#claim(change.after);
    });
    for (const node of this.#registry.nodes().values()) this.#claim(node);
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  /** Replica sets of nodes that announced a numeric replica set, by id. */
  replicaSets(): ReplicaSetView[] {
    const sets = new Map<number, NodeAnnouncement[]>();
    for (const node of this.#registry.nodes().values()) {
      const id = setIdOf(node);
      if (id === undefined) continue;
      let members = sets.get(id);
      if (members === undefined) sets.set(id, (members = []));
      members.push(node);
    }
    return [...sets].sort(([a], [b]) => a - b).map(([id, members]) => view(id, members));
  }

  replicaSet(id: number): ReplicaSetView | undefined {
    const members = [...this.#registry.nodes().values()].filter((n) => setIdOf(n) === id);
    return members.length === 0 ? undefined : view(id, members);
  }

  /** Takes in a MOVED answer: the slot's owner at the answer's epoch (a stale answer changes nothing). */
  learn(answer: SlotElsewhereError): void {
    if (answer.owner === undefined || answer.moving) return;
    this.#report(this.slots.merge({ replicaSet: answer.owner, slots: SlotRanges.of([answer.slot]), epoch: answer.epoch, source: `a MOVED answer for slot ${answer.slot}` }).conflict);
  }

  snapshot(): ClusterViewSnapshot {
    return {
      replicaSets: this.replicaSets().map((s) => ({
        id: s.id,
        leader: s.leader?.id ?? "",
        members: s.members.map(({ id, edgeAddress, role, leaderTerm, slots, slotEpoch }) => ({ id, edgeAddress, role, leaderTerm, slots, slotEpoch })),
      })),
      slots: this.slots.snapshot(),
    };
  }

  #claim(node: NodeAnnouncement): void {
    try {
      const claim = claimOf(node);
      if (claim !== undefined) this.#report(this.slots.merge(claim).conflict);
    } catch (e) {
      if (!RegistryError.is(e)) throw e;
      this.#report(e);
    }
  }

  #report(error: RegistryError | undefined): void {
    if (error !== undefined) this.#registry.onError(error);
  }
}

function setIdOf(node: NodeAnnouncement): number | undefined {
  return /^[1-9]\d{0,9}$/.test(node.replicaSet) ? Number(node.replicaSet) : undefined;
}

function view(id: number, members: NodeAnnouncement[]): ReplicaSetView {
  members.sort(byId);
  let leader: NodeAnnouncement | undefined;
  for (const m of members) if (m.role === "leader" && (leader === undefined || m.leaderTerm > leader.leaderTerm)) leader = m;
  return { id, members, leader };
}
