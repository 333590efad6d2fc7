// rony.config.json: connection settings the generated open<File>Connections() reads.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "./errors.js";
import type { Project } from "./project.js";

interface ConfigFile {
  connections?: Record<string, Record<string, unknown>>;
  [other: string]: unknown;
}

/** Adds `connections.<name>` unless it exists; returns whether the file changed. */
export function addConnectionConfig(project: Project, name: string, entry: Record<string, unknown>): boolean {
  const path = join(project.root, "rony.config.json");
  let config: ConfigFile = {};
  if (existsSync(path)) {
    try {
      config = JSON.parse(readFileSync(path, "utf8")) as ConfigFile;
    } catch (err) {
      throw new CliError(`${path} is not valid JSON (${(err as Error).message}); fix it and retry`);
    }
  }
  const connections = config.connections ?? {};
  if (connections[name] !== undefined) return false;
  writeFileSync(path, `${JSON.stringify({ ...config, connections: { ...connections, [name]: entry } }, null, 2)}\n`);
  return true;
}
