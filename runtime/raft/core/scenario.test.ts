// Runs the scripts in testdata/. RAFT_REWRITE=1 rewrites the expected printouts (review the diff!).
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Scenario, parseScript, rewriteScript } from "./scenario-runner.js";

const dir = fileURLToPath(new URL("./testdata/", import.meta.url));

describe("scenario scripts", () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".txt")).sort()) {
    it(file, () => {
      const src = readFileSync(dir + file, "utf8");
      const blocks = parseScript(src);
      expect(blocks.length).toBeGreaterThan(0);
      const sc = new Scenario();
      if (process.env["RAFT_REWRITE"]) {
        writeFileSync(dir + file, rewriteScript(src, (c) => sc.run(c)));
        return;
      }
      for (const b of blocks) expect(`${file}:${b.line} ${b.command}\n${sc.run(b.command)}`).toBe(`${file}:${b.line} ${b.command}\n${b.expected}`);
    });
  }
});
