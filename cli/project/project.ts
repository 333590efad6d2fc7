// A rony-ts project on disk: found from the working directory by its package.json "rony" key.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CliError } from "./errors.js";

export interface Project {
  readonly root: string;
  /** Proto package of the project's schemas, also their folder under schemas/. */
  readonly schemaPackage: string;
  /** The app initializer the generators edit, relative to root. */
  readonly initializer: string;
}

export function findProject(from = process.cwd()): Project {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { rony?: { schemaPackage?: string; initializer?: string } };
      if (pkg.rony !== undefined) {
        if (typeof pkg.rony.schemaPackage !== "string" || typeof pkg.rony.initializer !== "string") {
          throw new CliError(`${manifest}: "rony" needs "schemaPackage" and "initializer" strings`);
        }
        return { root: dir, schemaPackage: pkg.rony.schemaPackage, initializer: pkg.rony.initializer };
      }
    }
    if (dirname(dir) === dir) {
      throw new CliError(`no rony-ts project here: no package.json with a "rony" key in ${from} or above (create one with: rony-ts project create <dir>)`);
    }
  }
}
