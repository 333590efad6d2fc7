// The project's connection declarations: `option (rony.connection) = { name: "…", kind: "…" };`
// lines of schemas/<pkg>/storage.proto, read and extended as text so comments and layout stay.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.js";
import type { Project } from "./project.js";

const declaration = /option\s*\(rony\.connection\)\s*=\s*\{\s*name:\s*"([^"]*)"\s*,?\s*kind:\s*"([^"]*)"\s*\}\s*;/g;

export function storageProtoPath(project: Project): string {
  return join(project.root, "schemas", project.schemaPackage, "storage.proto");
}

export function declaredConnections(project: Project): Map<string, string> {
  const path = storageProtoPath(project);
  if (!existsSync(path)) throw new CliError(`${path} is missing: connections are declared there (see the project template)`);
  return new Map([...readFileSync(path, "utf8").matchAll(declaration)].map((m) => [m[1] ?? "", m[2] ?? ""]));
}

/** Adds the declaration after the last one (or at the end); returns false when it is already there. */
export function declareConnection(project: Project, name: string, kind: string): boolean {
  const existing = declaredConnections(project).get(name);
  if (existing === kind) return false;
  if (existing !== undefined) throw new CliError(`connection "${name}" is already declared with kind ${existing}; pick another name`);
  const path = storageProtoPath(project);
  const text = readFileSync(path, "utf8");
  const line = `option (rony.connection) = { name: "${name}", kind: "${kind}" };`;
  const matches = [...text.matchAll(declaration)];
  const last = matches.at(-1);
  const updated = last === undefined
    ? `${text.trimEnd()}\n\n${line}\n`
    : `${text.slice(0, (last.index ?? 0) + last[0].length)}\n${line}${text.slice((last.index ?? 0) + last[0].length)}`;
  writeFileSync(path, updated);
  return true;
}
