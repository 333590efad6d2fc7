// A newcomer's whole path on the packed package: npm pack, install it, create a project with its
// bin, add a mysql connection, a model and a service, regenerate, type-check, run the project's
// tests, start it and call it over WebSocket and HTTP; and, in the same project, every import the
// README and docs/ show, type-checked and run. Installs come from the npm cache.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import { afterAll, beforeAll, expect, it } from "vitest";
import { requireMariaDb } from "../support/services.js";
import { repoRoot } from "../support/run-plugin.js";
import { documentedImports, exportedEntries, importCheckSource } from "./documented-imports.js";

const work = mkdtempSync(join(tmpdir(), "rony-e2e-"));
let server: ChildProcess | undefined;
const tablePrefix = `e2e_${process.pid}_`;

afterAll(async () => {
  // npm start runs the server as its child: kill the whole group, or the server outlives the test.
  if (server?.pid !== undefined) {
    try {
      process.kill(-server.pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
  }
  const db = await createConnection({ host: "127.0.0.1", user: "root", database: "test" });
  const [rows] = await db.query("SHOW TABLES LIKE ?", [`${tablePrefix}%`]);
  for (const row of rows as Record<string, string>[]) await db.query(`DROP TABLE \`${Object.values(row)[0]}\``);
  await db.end();
  rmSync(work, { recursive: true, force: true });
});

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const run = spawnSync(command, args, { cwd, encoding: "utf8", env: { ...process.env, ...env } });
  if (run.status !== 0) throw new Error(`${command} ${args.join(" ")} failed (${run.status}) in ${cwd}:\n${run.stdout}\n${run.stderr}`);
  return run.stdout;
}

const project = join(work, "shop");
let created = "";

// One pack, one install and one created project for every test here: packing builds dist/.
beforeAll(() => {
  sh("npm", ["pack", "--pack-destination", work, "--silent"], repoRoot);
  const tarball = join(work, readdirSync(work).find((f) => f.endsWith(".tgz")) ?? "");

  // The bin as a user gets it: compiled JavaScript from the tarball, no TypeScript loader.
  const tools = join(work, "tools");
  mkdirSync(tools);
  writeFileSync(join(tools, "package.json"), '{ "name": "tools", "private": true }\n');
  sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], tools);
  created = sh(join(tools, "node_modules/.bin/rony-ts"), ["project", "create", "shop", "--rony", `file:${tarball}`], work);
}, 600_000);

it("imports, type-checks and runs every import the README and docs/ show, and every exported entry", { timeout: 120_000 }, () => {
  const imports = documentedImports(repoRoot);
  const entries = exportedEntries(repoRoot);
  // The docs show the Redis and Raft entries, not only the ones generated code uses.
  expect([...new Set(imports.map((i) => i.module))]).toEqual(expect.arrayContaining(["rony-ts/runtime", "rony-ts/runtime/client", "rony-ts/runtime/redis", "rony-ts/runtime/raft"]));
  writeFileSync(join(project, "imports-check.ts"), importCheckSource(imports, entries));
  // Declarations checked too (skipLibCheck off): a .d.ts in dist/ that names a devDependency's types fails here.
  writeFileSync(
    join(project, "tsconfig.imports.json"),
    JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { noEmit: false, outDir: "imports-out", skipLibCheck: false }, include: [], files: ["imports-check.ts"] }),
  );
  sh("npx", ["tsc", "-p", "tsconfig.imports.json"], project);
  const printed = JSON.parse(sh("node", ["imports-out/imports-check.js"], project)) as { values: Record<string, string>; entries: Record<string, number> };
  const missing = Object.entries(printed.values).filter(([, type]) => type === "undefined").map(([key]) => key);
  expect(missing).toEqual([]);
  expect(Object.keys(printed.values).length).toBeGreaterThanOrEqual(8);
  expect(Object.keys(printed.entries).sort()).toEqual([...entries].sort());
  for (const [entry, count] of Object.entries(printed.entries)) expect(count, entry).toBeGreaterThan(0);
});

it("creates a project, grows it with the generators, and serves it", { timeout: 600_000 }, async () => {
  await requireMariaDb();
  expect(created).toMatch(/installing dependencies .* done/);
  expect(created).toMatch(/generating code .* done/);
  const rony = join(project, "node_modules/.bin/rony-ts");

  expect(sh(rony, ["new", "connection", "mysql", "db"], project)).toContain("declared db (mysql)");
  expect(sh(rony, ["new", "model", "invoice", "--connection", "db"], project)).toContain("created schemas/shop/invoice.proto");
  expect(sh(rony, ["new", "service", "billing"], project)).toContain("registered BillingService");
  sh(rony, ["gen"], project);
  sh("npx", ["tsc", "--noEmit"], project);

  // A url naming a database the server does not have: the project's tests fail saying what to
  // create, and the template's teardown adds no TypeError of its own.
  const missing = `rony_missing_${process.pid}`;
  const noDatabase = spawnSync("npm", ["test"], { cwd: project, encoding: "utf8", env: { ...process.env, DB_URL: `mysql://root@127.0.0.1:3306/${missing}` } });
  expect(noDatabase.status).not.toBe(0);
  expect(noDatabase.stdout + noDatabase.stderr).toContain(`the database "${missing}" does not exist on 127.0.0.1:3306: create it (CREATE DATABASE \`${missing}\`)`);
  expect(noDatabase.stdout + noDatabase.stderr).not.toContain("TypeError");

  const env = { DB_URL: "mysql://root@127.0.0.1:3306/test" };
  writeFileSync(join(project, "rony.config.json"), JSON.stringify({ connections: { main: { url: "memory:" }, db: { url: env.DB_URL, tablePrefix } } }));
  const tests = sh("npm", ["test"], project, env);
  expect(tests).toMatch(/3 passed/);

  server = spawn("npm", ["start"], { cwd: project, env: { ...process.env, ...env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    server?.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /listening on port (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    server?.stderr?.on("data", (d: Buffer) => (out += d.toString()));
    server?.on("exit", (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });

  const http = await fetch(`http://127.0.0.1:${port}/hello/Ada`);
  expect(await http.json()).toEqual({ message: "Hello, Ada!", count: "1" });
  const billing = await fetch(`http://127.0.0.1:${port}/billing/b-1`);
  expect(await billing.json()).toEqual({ id: "b-1" });

  // Over WebSocket with the generated client and the package's own WebSocket transport.
  writeFileSync(
    join(project, "call.ts"),
    [
      'import { WebSocketTransport } from "rony-ts/runtime/client";',
      'import { GreeterClient } from "./generated/shop/greeter.rony.js";',
      `const transport = new WebSocketTransport("ws://127.0.0.1:${port}/ws");`,
      'const reply = await new GreeterClient(transport).sayHello({ name: "Ada" });',
      "console.log(JSON.stringify({ message: reply.message, count: String(reply.count) }));",
      "transport.close();",
    ].join("\n"),
  );
  const ws = execFileSync("npx", ["tsx", "call.ts"], { cwd: project, encoding: "utf8" });
  expect(JSON.parse(ws)).toEqual({ message: "Hello, Ada!", count: "2" });
});
