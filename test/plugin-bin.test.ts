// The real bin under the real `buf generate`: what a user sees on a bad annotation.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bufBin, repoRoot } from "./support/run-plugin.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function bufGenerate(proto: string): { status: number | null; stderr: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), "rony-bin-"));
  dirs.push(dir);
  cpSync(join(repoRoot, "schemas/rony"), join(dir, "schemas/rony"), { recursive: true });
  writeFileSync(join(dir, "schemas/app.proto"), proto);
  writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: schemas\n");
  const plugin = join(repoRoot, "scripts/protoc-gen-rony-ts.sh");
  writeFileSync(join(dir, "buf.gen.yaml"), `version: v2\nplugins:\n  - local: ${plugin}\n    out: out\n`);
  const run = spawnSync(bufBin, ["generate", "--path", "schemas/app.proto"], { cwd: dir, encoding: "utf8" });
  return { status: run.status, stderr: run.stderr, dir };
}

describe("protoc-gen-rony-ts under buf generate", () => {
  it("writes x.rony.ts for a valid schema", () => {
    const run = bufGenerate('syntax = "proto3";\npackage app;\nmessage A { string v = 1; }\nservice S { rpc Go(A) returns (A); }\n');
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readFileSync(join(run.dir, "out/app.rony.ts"), "utf8")).toContain("export class SClient");
  });

  it("stops on a bad annotation with file:line, element and option, and no stack trace", () => {
    const run = bufGenerate(
      'syntax = "proto3";\npackage app;\nimport "rony/options.proto";\nmessage A { string v = 1; }\n' +
        'service S {\n  rpc Go(A) returns (A) {\n    option (rony.rpc) = { http: { method: GET, path: "/a/{nope}" } };\n  }\n}\n',
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("protoc-gen-rony-ts: app.proto:7: rpc app.S.Go: (rony.rpc).http.path: {nope} is not a field of app.A (fields: v)");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
