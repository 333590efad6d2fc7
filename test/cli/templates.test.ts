// Golden files for what the templates and generators write (RONY_UPDATE_GOLDENS=1 rewrites them),
// each generator's second run being a no-op, and the refusals.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTree, updateGoldens, writeTree } from "../../fixtures/cases.js";
import { runCli } from "./run-cli.js";

const goldenDir = join(import.meta.dirname, "golden");
const work = mkdtempSync(join(tmpdir(), "rony-cli-"));
const project = join(work, "shop");

/** The project's files, generated code left out (the compiler's goldens cover it). */
function projectFiles(): Record<string, string> {
  const tree = readTree(project);
  return Object.fromEntries(Object.entries(tree).filter(([p]) => !p.startsWith("generated/")));
}

function compareWithGolden(name: string, files: Record<string, string>): void {
  const dir = join(goldenDir, name);
  if (updateGoldens) {
    rmSync(dir, { recursive: true, force: true });
    writeTree(dir, files);
  }
  const expected = readTree(dir);
  expect(Object.keys(files).sort()).toEqual(Object.keys(expected).sort());
  for (const [p, content] of Object.entries(files)) expect(content, p).toBe(expected[p]);
}

function ok(args: string[]): string {
  const run = runCli(args, project);
  expect(run.stderr, `rony-ts ${args.join(" ")}`).toBe("");
  expect(run.status).toBe(0);
  return run.stdout;
}

beforeAll(() => {
  const run = runCli(["project", "create", "shop", "--skip-install", "--rony", "^0.1.0"], work);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("rony-ts generators", () => {
  it("project create writes the template files and generates code", () => {
    compareWithGolden("project", projectFiles());
    expect(readFileSync(join(project, "generated/shop/greeter.rony.ts"), "utf8")).toContain("export class GreeterClient");
  });

  // Each step spawns the CLI under tsx (twice, for the no-op check): seconds each on a busy machine.
  it("new service, connection and model write stubs, edit the initializer, and are no-ops the second time", { timeout: 180_000 }, () => {
    const steps = [
      ["new", "service", "billing"],
      ["new", "connection", "mysql", "db"],
      ["new", "model", "invoice", "--connection", "db"],
      ["new", "connection", "kafka", "events"],
    ];
    const said = new Map<string, string>();
    for (const step of steps) {
      said.set(step.join(" "), ok(step));
      const before = projectFiles();
      expect(ok(step)).toMatch(/already there; nothing changed/);
      expect(projectFiles()).toEqual(before);
    }
    // The default mysql url names a database rony-ts will not create: the user is told to.
    expect(said.get("new connection mysql db")).toContain(
      "it connects to mysql://root@127.0.0.1:3306/rony: create that database (CREATE DATABASE `rony`), or set its url in rony.config.json or DB_URL",
    );
    compareWithGolden("after-generators", projectFiles());
    expect(ok(["gen"])).toMatch(/generating code/);
  });

  it("refuses clearly, changing nothing", { timeout: 120_000 }, () => {
    const before = projectFiles();
    const missingConnection = runCli(["new", "model", "order", "--connection", "nope"], project);
    expect(missingConnection.status).toBe(2);
    expect(missingConnection.stderr).toContain('connection "nope" is not declared (declared: main, db, events)');

    writeFileSync(join(project, "src/services/refund.ts"), "// mine\n");
    const exists = runCli(["new", "service", "refund"], project);
    expect(exists.status).toBe(2);
    expect(exists.stderr).toContain("src/services/refund.ts already exists and differs");
    rmSync(join(project, "src/services/refund.ts"));
    rmSync(join(project, "schemas/shop/refund.proto"), { force: true });

    const kindClash = runCli(["new", "connection", "redis", "db"], project);
    expect(kindClash.status).toBe(2);
    expect(kindClash.stderr).toContain('connection "db" is already declared with kind mysql');

    const app = readFileSync(join(project, "src/app.ts"), "utf8");
    writeFileSync(join(project, "src/app.ts"), app.replace("export function registerServices", "export function wireServices"));
    const noInitializerFn = runCli(["new", "service", "audit"], project);
    expect(noInitializerFn.status).toBe(2);
    expect(noInitializerFn.stderr).toContain("has no function registerServices()");
    writeFileSync(join(project, "src/app.ts"), app);
    expect(projectFiles()).toEqual(before);

    const outside = runCli(["new", "service", "x"], work);
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain("no rony-ts project here");

    const usage = runCli(["new", "gizmo"], project);
    expect(usage.status).toBe(2);
  });

  it("shows schema problems as file:line from rony-ts gen", () => {
    const proto = join(project, "schemas/shop/broken.proto");
    writeFileSync(proto, 'syntax = "proto3";\npackage shop;\nimport "rony/options.proto";\nmessage B { string id = 1; }\nservice Broken {\n  rpc Get(B) returns (B) { option (rony.rpc) = { http: { method: GET, path: "/b/{nope}" } }; }\n}\n');
    const run = runCli(["gen"], project);
    rmSync(proto);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("rony-ts: the schema has problems:\n  shop/broken.proto:6: rpc shop.Broken.Get: (rony.rpc).http.path: {nope} is not a field of shop.B (fields: id)");
  });
});
