// `rony-ts call` against the running demo: every demo method, over WebSocket and HTTP, JSON in
// and out; --help lists the methods and their input fields; mistakes are refused before sending.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoServer } from "../../demo/server.js";
import type { EdgeServer } from "../../runtime/index.js";
import { repoRoot } from "../support/run-plugin.js";
import type { CliRun } from "./run-cli.js";

/** The CLI as a child process; asynchronous, because the server it calls runs in this process. */
function rony(...args: string[]): Promise<CliRun> {
  const loader = `file://${join(repoRoot, "node_modules/tsx/dist/loader.mjs")}`;
  const child = spawn(process.execPath, ["--conditions=source", "--import", loader, join(repoRoot, "cli/rony-ts.ts"), ...args], { cwd: repoRoot });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** A successful call's JSON output. */
async function output(...args: string[]): Promise<Record<string, unknown>> {
  const run = await rony(...args);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

let server: EdgeServer;
let ws = "";
let http = "";

beforeAll(async () => {
  server = demoServer({ host: "127.0.0.1" });
  const port = await server.listen(0);
  ws = `ws://127.0.0.1:${port}`;
  http = `http://127.0.0.1:${port}`;
});
afterAll(() => server.shutdown());

describe("rony-ts call", { timeout: 240_000 }, () => {
  it("calls every unary demo method, over WebSocket and over HTTP", async () => {
    // The demo's unary rpcs a client may call (routes() holds the unary ones): each is called below.
    const callable = [...server.dispatcher.routes()].filter((r) => !r.method.internal).map((r) => `${r.method.service}.${r.method.name}`);
    expect(callable.sort()).toEqual(["examples.echo.Echo.Say", ...["Create", "Delete", "Get", "List", "Update"].map((m) => `examples.notes.Notes.${m}`)]);
    expect(await output("call", ws, "Echo.Say", '{"intValue":"42","boolValue":true,"text":"hello"}')).toMatchObject({ intValue: "42", boolValue: true, text: "hello" });
    const created = await output("call", http, "Notes.Create", '{"notebook":"cli","slug":"milk","title":"Buy milk","tags":["errand"]}');
    expect(created).toMatchObject({ notebook: "cli", slug: "milk", title: "Buy milk", tags: ["errand"] });
    const id = created["id"] as string;
    expect(await output("call", ws, "examples.notes.Notes.Get", JSON.stringify({ notebook: "cli", id }))).toEqual(created);
    expect(await output("call", http, "Notes.list", '{"notebook":"cli","limit":5}')).toEqual({ notes: [created] });
    expect(await output("call", ws, "Notes.Update", JSON.stringify({ notebook: "cli", id, note: { title: "Buy oat milk" } }))).toMatchObject({ id, title: "Buy oat milk" });
    expect(await output("call", http, "Notes.Delete", JSON.stringify({ notebook: "cli", id }))).toEqual({ existed: true });
  });

  it("prints an error reply as CODE: description and exits 1, internal rpcs included", async () => {
    const missing = await rony("call", ws, "Notes.Get", '{"notebook":"cli","id":"999"}');
    expect(missing).toMatchObject({ status: 1, stdout: "", stderr: "rony-ts: NOT_FOUND: no note 999 in cli (id)\n" });
    const ping = await rony("call", http, "Echo.Ping");
    expect(ping).toMatchObject({ status: 1, stderr: "rony-ts: UNIMPLEMENTED: examples.echo.Echo.Ping is internal to the cluster\n" });
  });

  it("refuses, before sending anything, unknown methods and fields, bad JSON, streaming rpcs and bad URLs (exit 2)", async () => {
    const runs = await Promise.all([
      rony("call", ws, "Echo.Shout", "{}"),
      rony("call", ws, "Echo.Say", '{"txt":"hi"}'),
      rony("call", ws, "Echo.Say", "{text:"),
      rony("call", ws, "Ticker.Count", "{}"),
      rony("call", "ftp://x", "Echo.Say", "{}"),
    ]);
    expect(runs.map((r) => r.status)).toEqual([2, 2, 2, 2, 2]);
    expect(runs[0]!.stderr).toBe("rony-ts: no rpc Echo.Shout in the schemas; rony-ts call --help lists them\n");
    expect(runs[1]!.stderr).toBe("rony-ts: examples.echo.EchoRequest has no field txt; its fields: intValue: int64, boolValue: bool, text: string\n");
    expect(runs[2]!.stderr).toMatch(/^rony-ts: the input of examples\.echo\.Echo\.Say is not JSON: /);
    expect(runs[3]!.stderr).toBe("rony-ts: examples.ticker.Ticker.Count is a streaming rpc; rony-ts call makes unary calls only\n");
    expect(runs[4]!.stderr).toBe('rony-ts: "ftp://x": use ws://, wss://, http:// or https://\n');
  });

  it("--help lists every method with its route and input fields", async () => {
    const help = await rony("call", "--help");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("Usage: rony-ts call [options] <url> <method> [json]");
    expect(help.stdout).toContain(`Methods in the schemas of ${repoRoot.replace(/\/$/, "")}:`);
    expect(help.stdout).toContain("  examples.echo.Echo.Say  (POST /echo)\n    input examples.echo.EchoRequest { intValue: int64, boolValue: bool, text: string }\n");
    expect(help.stdout).toContain("  examples.echo.Echo.Ping  internal: cluster peers only\n    input examples.echo.PingRequest {}\n");
    expect(help.stdout).toContain("  examples.notes.Notes.Update  (PUT /notebooks/{notebook}/notes/{id})\n    input examples.notes.UpdateNoteRequest { notebook: string, id: int64, note: examples.notes.Note }\n");
    for (const route of server.dispatcher.routes()) expect(help.stdout).toContain(`  ${route.method.service}.${route.method.name}`);
  });
});
