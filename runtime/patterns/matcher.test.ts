import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PatternMatcher } from "./matcher.js";
import { compareText, parsePattern, type Pattern } from "./pattern.js";

// Few keys and values, so random patterns overlap, nest and tie often.
const pairArb = fc.record({ key: fc.constantFrom("a", "b", "cmd", "role", "v", "z"), value: fc.constantFrom("1", "2", "x") });
const patternArb = fc
  .uniqueArray(pairArb, { minLength: 1, maxLength: 5, selector: (p) => p.key })
  .map((pairs) => pairs.map((p) => `${p.key}:${p.value}`).join(","));

/** The rule written the slow way: every registered subset of the query, most pairs first, then keys in order. */
function reference(registered: readonly string[], query: string): string | undefined {
  const q = new Set(parsePattern(query).pairs.map((p) => `${p.key}:${p.value}`));
  const matches = registered.map(parsePattern).filter((p) => p.pairs.every((x) => q.has(`${x.key}:${x.value}`)));
  const keys = (p: Pattern) => p.pairs.map((x) => x.key);
  matches.sort((x, y) => {
    if (x.pairs.length !== y.pairs.length) return y.pairs.length - x.pairs.length;
    const [kx, ky] = [keys(x), keys(y)];
    for (let i = 0; i < kx.length; i++) if (kx[i] !== ky[i]) return compareText(kx[i]!, ky[i]!);
    return 0;
  });
  return matches[0]?.canonical;
}

function build(registered: readonly string[]): PatternMatcher<string> {
  const m = new PatternMatcher<string>();
  for (const p of registered) m.set(parsePattern(p), p);
  return m;
}

describe("PatternMatcher", () => {
  it("finds what the rule written the slow way finds (most pairs, then keys in order)", () => {
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 30 }), patternArb, (registered, query) => {
        expect(build(registered).match(parsePattern(query))?.pattern).toBe(reference(registered, query));
      }),
      { numRuns: 2000 },
    );
  });

  it("never depends on key order, in the query or in the registered pattern", () => {
    fc.assert(
      fc.property(fc.array(patternArb, { minLength: 1, maxLength: 20 }), patternArb, fc.integer(), (registered, query, seed) => {
        const shuffle = (text: string) => {
          const parts = text.split(",");
          for (let i = parts.length - 1, s = seed; i > 0; i--, s = (s * 1103515245 + 12345) | 0) {
            const j = Math.abs(s) % (i + 1);
            [parts[i], parts[j]] = [parts[j]!, parts[i]!];
          }
          return parts.join(",");
        };
        const plain = build(registered).match(parsePattern(query))?.pattern;
        expect(build(registered.map(shuffle)).match(parsePattern(shuffle(query)))?.pattern).toBe(plain);
        expect(parsePattern(shuffle(query)).canonical).toBe(parsePattern(query).canonical);
      }),
    );
  });

  it("the winner is carried by the query, and no carried pattern has more pairs", () => {
    fc.assert(
      fc.property(fc.array(patternArb, { maxLength: 30 }), patternArb, (registered, query) => {
        const won = build(registered).match(parsePattern(query));
        const q = parsePattern(query).canonical.split(",");
        const carried = registered.map(parsePattern).filter((p) => p.canonical.split(",").every((x) => q.includes(x)));
        if (won === undefined) {
          expect(carried).toEqual([]);
          return;
        }
        expect(won.pattern.split(",").every((x) => q.includes(x))).toBe(true);
        for (const c of carried) expect(c.pairs.length).toBeLessThanOrEqual(won.size);
      }),
    );
  });

  it("ties go to the pattern whose sorted keys come first", () => {
    const m = build(["role:math,v:2", "cmd:sum,role:math", "role:math"]);
    expect(m.match(parsePattern("v:2,role:math,cmd:sum"))?.pattern).toBe("cmd:sum,role:math");
    expect(m.match(parsePattern("role:math,v:2"))?.pattern).toBe("role:math,v:2");
    expect(m.match(parsePattern("role:math,x:1"))?.pattern).toBe("role:math");
  });

  it("no match: a missing pair or a different value is no match", () => {
    const m = build(["role:math,cmd:sum"]);
    expect(m.match(parsePattern("role:math"))).toBeUndefined();
    expect(m.match(parsePattern("role:math,cmd:product"))).toBeUndefined();
    expect(m.match(parsePattern("cmd:sum,other:1"))).toBeUndefined();
  });

  it("after deletes it answers as if only the remaining patterns had been registered", () => {
    fc.assert(
      fc.property(fc.uniqueArray(patternArb, { maxLength: 25, selector: (p) => parsePattern(p).canonical }), fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }), patternArb, (registered, drop, query) => {
        const m = build(registered);
        const kept = registered.filter((_, i) => !drop[i]);
        registered.forEach((p, i) => drop[i] && expect(m.delete(parsePattern(p))).toBe(true));
        expect(m.size).toBe(kept.length);
        expect(m.match(parsePattern(query))?.pattern).toBe(reference(kept, query));
      }),
    );
  });
});
