// The compiler (generation) and the runtime (registration) check one grammar, written twice
// because the compiler may not import the runtime: they must agree on every input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalPatternText, patternProblem } from "../../compiler/pattern-syntax.js";
import { parsePattern } from "../../runtime/patterns/pattern.js";

const verdict = (text: string) => {
  try {
    return { ok: true, canonical: parsePattern(text).canonical };
  } catch {
    return { ok: false, canonical: "" };
  }
};

describe("pattern grammar", () => {
  it("the compiler and the runtime accept and refuse the same texts", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "Z", "9", "_", ".", "-", ":", ",", "*", " ", "é"), maxLength: 14 });
    fc.assert(
      fc.property(text, (t) => {
        const runtime = verdict(t);
        expect(patternProblem(t) === undefined).toBe(runtime.ok);
        if (runtime.ok) expect(canonicalPatternText(t)).toBe(runtime.canonical);
      }),
      { numRuns: 5000 },
    );
  });
});
