// The cross-language check of docs/protocol.md: Python classes are generated from schemas/ with
// Debian's protoc at test time, and client.py (stdlib WebSocket + http.client, written from the doc)
// calls the demo over WebSocket and POST /rpc. scripts/ensure-services.sh installs
// python3-protobuf and protobuf-compiler when they are missing.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-plugin.js";
import { startDemo } from "../edge/harness.js";

// Debian's interpreter, where python3-protobuf is installed (a pyenv python3 may come first on PATH).
const python = "/usr/bin/python3";
const out = mkdtempSync(join(tmpdir(), "rony-py-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("a Python client written from docs/protocol.md", () => {
  it("calls the demo over WebSocket and POST /rpc: ids, int64 extremes, errors, containers", async () => {
    execFileSync("protoc", ["-I", join(repoRoot, "schemas"), "-I", "/usr/include", `--python_out=${out}`, "rony/envelope.proto", "rony/options.proto", "examples/echo.proto", "examples/notes.proto"]);
    const { wsUrl, httpUrl } = await startDemo();
    // Async: the demo server runs in this process and must keep serving while Python talks to it.
    const run = promisify(execFile)(python, [join(repoRoot, "test/cross-language/client.py"), out, wsUrl, httpUrl], { timeout: 60_000 });
    const { stdout: printed } = await run.catch((e: { message: string; stdout?: string; stderr?: string }) => {
      throw new Error(`${e.message}\n${e.stdout ?? ""}\n${e.stderr ?? ""}`);
    });
    expect(printed).toContain("all checks passed");
    expect(printed).not.toContain("FAIL");
  }, 90_000);
});
