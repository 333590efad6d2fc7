// Most-specific-match lookup over registered patterns: a trie whose edges are key:value pairs in
// key order. A registered pattern P matches a query Q when every pair of P is in Q; since both
// are sorted by key, P is then a subsequence of Q, and the lookup walks only the trie nodes whose
// path is a subset of Q (at most 2^|Q|, in practice a handful), whatever the number of patterns.
//
// The rule: the match with the most pairs wins; among matches with as many pairs, the one whose
// keys, in sorted order, come first (compared key by key in code-unit order) wins. The walk
// visits Q's subsequences in exactly that order, so the first match of the largest size found is
// the winner, with no second comparison.
import type { Pattern } from "./pattern.js";

interface TrieNode<T> {
  readonly children: Map<string, TrieNode<T>>;
  entry: { readonly pattern: string; readonly size: number; value: T } | undefined;
}

export interface PatternMatch<T> {
  /** Canonical text of the registered pattern that won. */
  readonly pattern: string;
  /** Its number of pairs. */
  readonly size: number;
  readonly value: T;
}

const newNode = <T>(): TrieNode<T> => ({ children: new Map(), entry: undefined });

export class PatternMatcher<T> {
  readonly #root: TrieNode<T> = newNode();
  readonly #exact = new Map<string, TrieNode<T>>();

  get size(): number {
    return this.#exact.size;
  }

  /** Registers (or replaces) the value of a pattern. */
  set(pattern: Pattern, value: T): void {
    let node = this.#root;
    for (const edge of pattern.edges) {
      let next = node.children.get(edge);
      if (next === undefined) {
        next = newNode<T>();
        node.children.set(edge, next);
      }
      node = next;
    }
    node.entry = { pattern: pattern.canonical, size: pattern.pairs.length, value };
    this.#exact.set(pattern.canonical, node);
  }

  /** The value registered for exactly this pattern (canonical text). */
  get(canonical: string): T | undefined {
    return this.#exact.get(canonical)?.entry?.value;
  }

  /** Removes a pattern; trie nodes left with no entry and no children are pruned. */
  delete(pattern: Pattern): boolean {
    if (!this.#exact.delete(pattern.canonical)) return false;
    const path: TrieNode<T>[] = [this.#root];
    for (const edge of pattern.edges) path.push(path[path.length - 1]!.children.get(edge)!);
    path[path.length - 1]!.entry = undefined;
    for (let i = path.length - 1; i > 0; i--) {
      const node = path[i]!;
      if (node.entry !== undefined || node.children.size > 0) break;
      path[i - 1]!.children.delete(pattern.edges[i - 1]!);
    }
    return true;
  }

  *entries(): IterableIterator<[string, T]> {
    for (const [canonical, node] of this.#exact) yield [canonical, node.entry!.value];
  }

  /** The most specific registered pattern the query carries, or undefined (see the rule above). */
  match(query: Pattern): PatternMatch<T> | undefined {
    // A query that is itself registered is the largest possible match: no walk needed.
    const exact = this.#exact.get(query.canonical)?.entry;
    if (exact !== undefined) return exact;
    return this.#walk(this.#root, query.edges, 0, undefined);
  }

  #walk(node: TrieNode<T>, edges: readonly string[], from: number, best: PatternMatch<T> | undefined): PatternMatch<T> | undefined {
    for (let i = from; i < edges.length; i++) {
      const child = node.children.get(edges[i]!);
      if (child === undefined) continue;
      if (child.entry !== undefined && (best === undefined || child.entry.size > best.size)) best = child.entry;
      if (child.children.size > 0) best = this.#walk(child, edges, i + 1, best);
    }
    return best;
  }
}
