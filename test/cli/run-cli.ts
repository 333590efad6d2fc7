// Runs the rony-ts CLI from its TypeScript sources, as a user would run the bin.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../support/run-plugin.js";

export interface CliRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): CliRun {
  const loader = `file://${join(repoRoot, "node_modules/tsx/dist/loader.mjs")}`;
  const run = spawnSync(process.execPath, ["--conditions=source", "--import", loader, join(repoRoot, "cli/rony-ts.ts"), ...args], {
    cwd,
    env,
    encoding: "utf8",
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}
