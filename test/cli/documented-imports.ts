// What the README and docs/ tell a user to import from rony-ts, and a module that imports all of
// it (plus every entry package.json exports) and prints what each value import resolved to. The
// end-to-end test type-checks and runs that module in a project that installed the packed tarball.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface DocumentedImport {
  readonly module: string;
  readonly name: string;
  readonly typeOnly: boolean;
  /** Where the docs show it, for the failure message. */
  readonly shownIn: string;
}

const importStatement = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"(rony-ts(?:\/[^"]*)?)"/g;

/** Every `import { … } from "rony-ts…"` in the README's and docs' ```ts blocks, one entry per name. */
export function documentedImports(repoRoot: string): DocumentedImport[] {
  const docs = ["README.md", ...readdirSync(join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];
  const found: DocumentedImport[] = [];
  for (const doc of docs) {
    const text = readFileSync(join(repoRoot, doc), "utf8");
    for (const block of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
      for (const [, wholeType, names, module] of block[1]!.matchAll(importStatement)) {
        for (const raw of names!.split(",").map((n) => n.trim()).filter((n) => n !== "")) {
          const typeOnly = wholeType !== undefined || raw.startsWith("type ");
          const name = raw.replace(/^type\s+/, "").split(/\s+as\s+/)[0]!;
          found.push({ module: module!, name, typeOnly, shownIn: doc });
        }
      }
    }
  }
  return found;
}

/** The package's export subpaths as import specifiers: "rony-ts/runtime", "rony-ts/runtime/redis", … */
export function exportedEntries(repoRoot: string): string[] {
  const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { name: string; exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((subpath) => subpath !== "./package.json")
    .map((subpath) => `${pkg.name}${subpath.slice(1)}`);
}

/**
 * A module importing each documented name under its own alias (two docs may import one name from
 * two entries) and each entry as a namespace. Run, it prints
 * `{ values: { "<module>#<name>": typeof … }, entries: { "<module>": export count } }`.
 */
export function importCheckSource(imports: readonly DocumentedImport[], entries: readonly string[]): string {
  const lines: string[] = [];
  const values: string[] = [];
  const seen = new Set<string>();
  let n = 0;
  for (const i of imports) {
    const key = `${i.module}#${i.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const alias = `doc${n++}_${i.name}`;
    lines.push(`import ${i.typeOnly ? "type " : ""}{ ${i.name} as ${alias} } from "${i.module}"; // ${i.shownIn}`);
    if (!i.typeOnly) values.push(`  ${JSON.stringify(key)}: typeof ${alias},`);
  }
  entries.forEach((entry, k) => lines.push(`import * as entry${k} from "${entry}";`));
  lines.push(
    "console.log(JSON.stringify({",
    "values: {",
    ...values,
    "},",
    "entries: {",
    ...entries.map((entry, k) => `  ${JSON.stringify(entry)}: Object.keys(entry${k}).length,`),
    "},",
    "}));",
  );
  return `${lines.join("\n")}\n`;
}
