// Where rony-ts itself is installed: the templates, schemas/rony and the plugin bins live there.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "rony-ts") return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the rony-ts package above ${start}`);
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

/** True when running from TypeScript sources (this repository) rather than the compiled bin. */
export const fromSources = fileURLToPath(import.meta.url).endsWith(".ts");

export const packageVersion = (JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
