#!/usr/bin/env node
// The rony-ts CLI. Exit codes: 0 done; 1 a step failed (generation, install); 2 refused (bad
// arguments, a target that exists, no project or initializer found).
import { Command, CommanderError } from "commander";
import { runGen } from "./commands/gen.js";
import { newConnection } from "./commands/new-connection.js";
import { newModel } from "./commands/new-model.js";
import { newService } from "./commands/new-service.js";
import { createProject } from "./commands/project-create.js";
import { CliError } from "./project/errors.js";
import { packageVersion } from "./project/package-root.js";

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
    await createProject(dir, { name: o.name, package: o.package, rony: o.rony, install: o.skipInstall !== true, offline: o.offline });
  });

program
  .command("gen")
  .description("run buf generate with protoc-gen-rony-ts; schema problems are shown as file:line")
  .action(async () => {
    await runGen();
  });

const add = program.command("new").description("add a service, a model or a connection to this project");
add
  .command("service")
  .description("add schemas/<pkg>/<name>.proto, src/services/<name>.ts, and register it in the app initializer")
  .argument("<name>", "service name, e.g. billing or UserProfile")
  .action((name: string) => newService(name));
add
  .command("model")
  .description("add a model message on a connection, and its repository in the app initializer")
  .argument("<name>", "model name, e.g. invoice")
  .option("--connection <name>", "connection the model is stored on (default: main)")
  .action((name: string, o: { connection?: string }) => newModel(name, o.connection ?? "main"));
add
  .command("connection")
  .description("declare a connection: mysql, redis, redis_sharded, redis_cluster, redis_ha, memory, or a custom kind")
  .argument("<kind>", "connection kind")
  .argument("[name]", "connection name (default: the kind)")
  .action((kind: string, name: string | undefined) => newConnection(kind, name));

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
