// The caller's cache of the registry: pattern → the instances that serve it, in a trie
// (matcher.ts), kept in step with the registry change by change, and in front of it a map from
// query text to its match, emptied on every change (so a repeated query costs one Map lookup).
import type { NodeAnnouncement, RegistryChange } from "../registry/index.js";
import { PatternMatcher, type PatternMatch } from "./matcher.js";
import { PatternError, parsePattern } from "./pattern.js";

export interface Instance {
  readonly nodeId: string;
  /** host:port of its edge. */
  readonly address: string;
}

export interface RouteEntry {
  readonly instances: Instance[];
  /** Round-robin position: calls to one pattern go to its instances in turn. */
  next: number;
}

const MAX_CACHED_QUERIES = 10_000;

export class RouteTable {
  readonly #matcher = new PatternMatcher<RouteEntry>();
  readonly #results = new Map<string, PatternMatch<RouteEntry> | null>();
  /** Patterns in registry entries that are not patterns; the rest of the entry is used. */
  onBadPattern: (error: PatternError, nodeId: string) => void = (e, id) => console.warn(`rony-ts patterns: node ${id}: ${e.message}`);

  get size(): number {
    return this.#matcher.size;
  }

  load(nodes: Iterable<NodeAnnouncement>): void {
    for (const node of nodes) this.#add(node);
    this.#results.clear();
  }

  apply(change: RegistryChange): void {
    if (change.before !== undefined) this.#remove(change.before);
    if (change.after !== undefined) this.#add(change.after);
    this.#results.clear();
  }

  /** The most specific registered pattern `query` carries, or undefined. Throws PatternError. */
  lookup(query: string): PatternMatch<RouteEntry> | undefined {
    const cached = this.#results.get(query);
    if (cached !== undefined) return cached ?? undefined;
    const found = this.#matcher.match(parsePattern(query));
    if (this.#results.size >= MAX_CACHED_QUERIES) this.#results.clear();
    this.#results.set(query, found ?? null);
    return found;
  }

  /** Instances of an exact (canonical) pattern. */
  instances(canonical: string): readonly Instance[] {
    return this.#matcher.get(canonical)?.instances ?? [];
  }

  #each(node: NodeAnnouncement, f: (canonical: string, parsed: ReturnType<typeof parsePattern>) => void): void {
    for (const text of node.patterns) {
      try {
        const parsed = parsePattern(text);
        f(parsed.canonical, parsed);
      } catch (e) {
        if (e instanceof PatternError) this.onBadPattern(e, node.id);
        else throw e;
      }
    }
  }

  #add(node: NodeAnnouncement): void {
    this.#each(node, (canonical, parsed) => {
      let entry = this.#matcher.get(canonical);
      if (entry === undefined) this.#matcher.set(parsed, (entry = { instances: [], next: 0 }));
      if (!entry.instances.some((i) => i.nodeId === node.id)) entry.instances.push({ nodeId: node.id, address: node.edgeAddress });
    });
  }

  #remove(node: NodeAnnouncement): void {
    this.#each(node, (canonical, parsed) => {
      const entry = this.#matcher.get(canonical);
      if (entry === undefined) return;
      const at = entry.instances.findIndex((i) => i.nodeId === node.id);
      if (at >= 0) entry.instances.splice(at, 1);
      if (entry.instances.length === 0) this.#matcher.delete(parsed);
    });
  }
}
