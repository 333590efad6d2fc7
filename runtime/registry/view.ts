// The node map both engines keep, and the listeners it tells about each change. A change is
// emitted only when an announcement really differs (heartbeats re-reading the same entry are silent).
import type { NodeAnnouncement, RegistryChange, RegistryListener } from "./types.js";

function same(a: NodeAnnouncement, b: NodeAnnouncement): boolean {
  return (
    a.replicaSet === b.replicaSet &&
    a.edgeAddress === b.edgeAddress &&
    a.tunnelAddress === b.tunnelAddress &&
    a.role === b.role &&
    a.leaderTerm === b.leaderTerm &&
    a.slots === b.slots &&
    a.slotEpoch === b.slotEpoch &&
    a.patterns.length === b.patterns.length &&
    a.patterns.every((p, i) => p === b.patterns[i])
  );
}

export class RegistryView {
  readonly nodes = new Map<string, NodeAnnouncement>();
  readonly #listeners = new Set<RegistryListener>();
  /** Where a listener's exception goes; one bad listener must not starve the others. */
  onListenerError: (error: unknown) => void = (e) => console.warn("rony-ts registry: a watcher threw", e);

  watch(listener: RegistryListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  put(node: NodeAnnouncement): void {
    const before = this.nodes.get(node.id);
    if (before !== undefined && same(before, node)) return;
    this.nodes.set(node.id, node);
    this.#emit({ id: node.id, before, after: node });
  }

  remove(id: string): void {
    const before = this.nodes.get(id);
    if (before === undefined) return;
    this.nodes.delete(id);
    this.#emit({ id, before, after: undefined });
  }

  /** Makes the view equal `next` (ids in `keep` stay as they are), emitting one change per difference. */
  replaceAll(next: ReadonlyMap<string, NodeAnnouncement>, keep: ReadonlySet<string> = new Set()): void {
    for (const id of [...this.nodes.keys()]) if (!next.has(id) && !keep.has(id)) this.remove(id);
    for (const node of next.values()) this.put(node);
  }

  #emit(change: RegistryChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (e) {
        this.onListenerError(e);
      }
    }
  }
}
