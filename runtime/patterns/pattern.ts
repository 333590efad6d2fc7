// go-nano patterns: a set of key:value pairs, written "role:math,cmd:sum". Key order never
// matters, so every pattern has one canonical form (pairs sorted by key) that the registry, the
// matcher and the caches use as its identity.
import { ErrorCode, RonyError } from "../rpc/index.js";

/** One key:value pair. */
export interface Pair {
  readonly key: string;
  readonly value: string;
}

/** A parsed pattern: pairs sorted by key (each key once) and their canonical text. */
export interface Pattern {
  readonly pairs: readonly Pair[];
  /** The pairs as "key:value" texts, in the same order: the matcher's trie edges. */
  readonly edges: readonly string[];
  readonly canonical: string;
}

// The grammar the compiler checks (compiler/validate.ts) is the same; test/patterns/grammar.test.ts holds them equal.
const KEY = /^[A-Za-z0-9_.-]+$/;
const VALUE = /^[A-Za-z0-9_.-]+$/;
export const MAX_PATTERN_PAIRS = 32;

/** Thrown for text that is not a pattern. INVALID_ARGUMENT, `items` is the offending text. */
export class PatternError extends RonyError {
  constructor(
    readonly pattern: string,
    readonly reason: string,
  ) {
    super(ErrorCode.INVALID_ARGUMENT, `malformed pattern ${JSON.stringify(pattern)}: ${reason}`, pattern);
  }
}

/** Parses "role:math,cmd:sum" (any key order). Throws PatternError naming what is wrong. */
export function parsePattern(text: string): Pattern {
  if (typeof text !== "string") throw new PatternError(String(text), "a pattern is a string");
  if (text === "") throw new PatternError(text, 'empty; write key:value pairs joined by "," (e.g. "role:math,cmd:sum")');
  const parts = text.split(",");
  if (parts.length > MAX_PATTERN_PAIRS) throw new PatternError(text, `more than ${MAX_PATTERN_PAIRS} pairs`);
  const pairs: (Pair & { edge: string })[] = [];
  for (const part of parts) {
    const colon = part.indexOf(":");
    if (colon < 0) throw new PatternError(text, `"${part}" is not key:value`);
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (!KEY.test(key)) throw new PatternError(text, `key "${key}" must be letters, digits, "_", "." or "-"`);
    if (!VALUE.test(value)) throw new PatternError(text, `value "${value}" of ${key} must be letters, digits, "_", "." or "-"`);
    pairs.push({ key, value, edge: part });
  }
  pairs.sort((a, b) => compareText(a.key, b.key));
  for (let i = 1; i < pairs.length; i++) {
    if (pairs[i]!.key === pairs[i - 1]!.key) throw new PatternError(text, `key "${pairs[i]!.key}" appears twice`);
  }
  const edges = pairs.map((p) => p.edge);
  return { pairs: pairs.map(({ key, value }) => ({ key, value })), edges, canonical: edges.join(",") };
}

/** The canonical text of a pattern: its pairs sorted by key. */
export function canonicalPattern(text: string): string {
  return parsePattern(text).canonical;
}

/** Code-unit order, the same on every machine and locale (the tie rule depends on it). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
