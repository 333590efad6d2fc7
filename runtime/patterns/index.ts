// go-nano pattern routing: patterns, the matcher, and the node that serves and routes calls.
export { PatternError, parsePattern, canonicalPattern, compareText, MAX_PATTERN_PAIRS, type Pair, type Pattern } from "./pattern.js";
export { PatternMatcher, type PatternMatch } from "./matcher.js";
export { PatternNode, type ActOptions, type PatternNodeOptions, type PatternServer } from "./pattern-node.js";
export type { JsonPatternHandler, PatternContext } from "./local-patterns.js";
export { RouteTable, type Instance, type RouteEntry } from "./route-table.js";
export { PATTERN_HEADER } from "./forward.js";
