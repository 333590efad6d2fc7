// `rony-ts gen`: buf generate with protoc-gen-rony-ts; annotation errors come out as file:line.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { delimiter } from "node:path";
import { CliError } from "../project/errors.js";
import { bufBinary, pluginBinDir } from "../project/plugin-path.js";
import { findProject } from "../project/project.js";
import { step } from "../project/progress.js";

export async function runGen(root = findProject().root): Promise<void> {
  const bin = pluginBinDir();
  try {
    const run = await step("generating code (buf generate)", () => {
      const result = spawnSync(bufBinary(), ["generate"], {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH ?? ""}` },
      });
      if (result.status !== 0) throw new CliError(tidyBufErrors(result.stderr || String(result.error)), 1);
      return result;
    });
    if (run.stderr.trim() !== "") process.stderr.write(run.stderr);
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

// buf prefixes plugin failures with its own line; keep our file:line messages and say what failed.
function tidyBufErrors(stderr: string): string {
  const ours = stderr.split("\n").filter((l) => l.startsWith("protoc-gen-rony-ts: ")).map((l) => l.slice(20));
  if (ours.length > 0) return `the schema has problems:\n  ${ours.join("\n  ")}`;
  return `buf generate failed:\n${stderr.trim()}`;
}
