// The go-nano pattern grammar, checked at generation. runtime/patterns/pattern.ts parses the same
// grammar at registration; the compiler may not import the runtime, so the grammar is written
// twice and test/patterns/grammar.test.ts holds the two to the same verdict on every input.

const KEY = /^[A-Za-z0-9_.-]+$/;
const VALUE = /^[A-Za-z0-9_.-]+$/;
const MAX_PAIRS = 32;

/** Why `text` is not a pattern, or undefined when it is one. */
export function patternProblem(text: string): string | undefined {
  if (text === "") return "empty";
  const parts = text.split(",");
  if (parts.length > MAX_PAIRS) return `more than ${MAX_PAIRS} pairs`;
  const keys = new Set<string>();
  for (const part of parts) {
    const colon = part.indexOf(":");
    if (colon < 0) return `"${part}" is not key:value`;
    const key = part.slice(0, colon);
    const value = part.slice(colon + 1);
    if (!KEY.test(key)) return `key "${key}" must be letters, digits, "_", "." or "-"`;
    if (!VALUE.test(value)) return `value "${value}" of ${key} must be letters, digits, "_", "." or "-"`;
    if (keys.has(key)) return `key "${key}" appears twice`;
    keys.add(key);
  }
  return undefined;
}

/** The pattern with its pairs sorted by key: two rpcs with the same one could never be told apart. */
export function canonicalPatternText(text: string): string {
  return text
    .split(",")
    .sort((a, b) => {
      const [ka, kb] = [a.slice(0, a.indexOf(":")), b.slice(0, b.indexOf(":"))];
      return ka < kb ? -1 : ka > kb ? 1 : 0;
    })
    .join(",");
}
