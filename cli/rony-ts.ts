#!/usr/bin/env node
// The rony-ts CLI. Exit codes: 0 done; 1 a step failed (generation, install); 2 refused (bad
// arguments, a target that exists, no project or initializer found).
import { Command, CommanderError } from "commander";
import { CliError } from "./project/errors.js";
import { packageVersion } from "./project/package-root.js";

// Commands load what they use when they run: `rony-ts call` should not wait for ts-morph.
const commands = {
  call: () => import("./commands/call.js"),
  callHelp: () => import("./call/schema-methods.js"),
  cluster: () => import("./commands/cluster.js"),
  gen: () => import("./commands/gen.js"),
  newConnection: () => import("./commands/new-connection.js"),
  newModel: () => import("./commands/new-model.js"),
  newService: () => import("./commands/new-service.js"),
  projectCreate: () => import("./commands/project-create.js"),
};

const program = new Command("rony-ts")
  .description("Protobuf-driven services: generate code, create projects, add services, models and connections.")
  .version(packageVersion)
  .exitOverride()
  .showHelpAfterError()
  .addHelpText("after", "\nExit codes: 0 done, 1 a step failed, 2 refused (bad arguments, existing target, no project).");

const project = program.command("project").description("create projects");
project
  .command("create")
  .description("create a complete, working project in <dir>: schema, service, model, connection, test, README")
  .argument("<dir>", "folder to create (must not exist or be empty)")
  .option("--name <name>", "npm package name (default: the folder name)")
  .option("--package <package>", "proto package of the schemas (default: the name in snake_case)")
  .option("--rony <spec>", "how to depend on rony-ts, e.g. ^0.1.0 or file:/path/rony-ts-0.1.0.tgz")
  .option("--skip-install", "do not run npm install")
  .option("--offline", "npm install from the npm cache only")
  .action(async (dir: string, o: { name?: string; package?: string; rony?: string; skipInstall?: boolean; offline?: boolean }) => {
    const { createProject } = await commands.projectCreate();
    await createProject(dir, { name: o.name, package: o.package, rony: o.rony, install: o.skipInstall !== true, offline: o.offline });
  });

program
  .command("gen")
  .description("run buf generate with protoc-gen-rony-ts; schema problems are shown as file:line")
  .action(async () => {
    const { runGen } = await commands.gen();
    await runGen();
  });

program
  .command("call")
  .description("call an rpc of a running server: JSON in, JSON out, over WebSocket (ws://) or HTTP (http://)")
  .argument("<url>", "the server, e.g. ws://localhost:8080 (path /ws) or http://localhost:8080 (path /rpc)")
  .argument("<method>", "<Service>.<Method>, e.g. Echo.Say or examples.echo.Echo.Say")
  .argument("[json]", "the input message in the proto3 JSON mapping", "{}")
  .option("--schemas <dir>", "buf workspace of the schemas (default: the nearest folder with a buf.yaml)")
  .option("-H, --header <name:value...>", "a call header (repeatable)")
  .option("--timeout <ms>", "how long to wait for the reply", "10000")
  .action(async (url: string, method: string, json: string, o: { schemas?: string; header?: string[]; timeout?: string }) => {
    const { call } = await commands.call();
    await call(url, method, json, o);
  });

const add = program.command("new").description("add a service, a model or a connection to this project");
add
  .command("service")
  .description("add schemas/<pkg>/<name>.proto, src/services/<name>.ts, and register it in the app initializer")
  .argument("<name>", "service name, e.g. billing or UserProfile")
  .action(async (name: string) => (await commands.newService()).newService(name));
add
  .command("model")
  .description("add a model message on a connection, and its repository in the app initializer")
  .argument("<name>", "model name, e.g. invoice")
  .option("--connection <name>", "connection the model is stored on (default: main)")
  .action(async (name: string, o: { connection?: string }) => (await commands.newModel()).newModel(name, o.connection ?? "main"));
add
  .command("connection")
  .description("declare a connection: mysql, redis, redis_sharded, redis_cluster, redis_ha, memory, or a custom kind")
  .argument("<kind>", "connection kind")
  .argument("[name]", "connection name (default: the kind)")
  .action(async (kind: string, name: string | undefined) => (await commands.newConnection()).newConnection(kind, name));

const cluster = program.command("cluster").description("a running sharded cluster: its slot map, slot moves");
const clusterOptions = (c: Command) =>
  c
    .option("--registry <where>", "the cluster's registry: redis://host:port, or the path of a static registry file")
    .option("--registry-prefix <prefix>", "key prefix of a Redis registry (default rony:registry)")
    .option("--nodes <list>", "instead of a registry: nodes as <replicaSet>:<raftId>@host:port, comma-separated")
    .option("--secret-env <var>", "environment variable holding the cluster secret", "RONY_CLUSTER_SECRET")
    .option("--timeout <ms>", "deadline of one admin call", "15000");
clusterOptions(
  cluster
    .command("move")
    .description("move slots (and their records) to a replica set while clients keep calling; rerun it to finish a move that stopped")
    .requiredOption("--to <set>", "the receiving replica set")
    .requiredOption("--slots <ranges>", "slots to move, e.g. 0-4095,9000"),
).action(async (o: { to: string; slots: string; registry?: string; registryPrefix?: string; nodes?: string; secretEnv?: string; timeout?: string }) => (await commands.cluster()).clusterMove(o));
clusterOptions(cluster.command("slots").description("print each replica set's slot table, as its leader applied it").option("--json", "as JSON")).action(
  async (o: { json?: boolean; registry?: string; registryPrefix?: string; nodes?: string; secretEnv?: string; timeout?: string }) => (await commands.cluster()).clusterSlots(o),
);

// `call --help` lists the methods of the schemas: read them before commander prints the help.
const argv = process.argv;
if (argv[2] === "call" && (argv.includes("--help") || argv.includes("-h"))) {
  const { findWorkspace, loadMethods, methodsHelp } = await commands.callHelp();
  const at = argv.indexOf("--schemas");
  let listing: string;
  try {
    const workspace = findWorkspace(at >= 0 ? argv[at + 1] : undefined);
    listing = methodsHelp(loadMethods(workspace), workspace);
  } catch (e) {
    listing = `(no methods listed: ${(e as Error).message})\n`;
  }
  program.commands.find((c) => c.name() === "call")?.addHelpText("after", `\n${listing}`);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else if (err instanceof CliError) {
    process.stderr.write(`rony-ts: ${err.message}\n`);
    process.exitCode = err.exitCode;
  } else {
    throw err;
  }
}
