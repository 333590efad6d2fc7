// `rony-ts new connection <kind> [name]`: the declaration in storage.proto and its settings in
// rony.config.json; for a custom kind also a <Name>Connection skeleton registered in customConnections().
import { join } from "node:path";
// The settings module alone: it has no client libraries to load.
import { defaultUrls, envName } from "../../runtime/connections/settings.js";
import { CliError } from "../project/errors.js";
import { addConnectionConfig } from "../project/config-file.js";
import { Initializer } from "../project/initializer.js";
import { namesOf } from "../project/names.js";
import { note } from "../project/progress.js";
import { findProject } from "../project/project.js";
import { declareConnection } from "../project/storage-schema.js";
import { render, writeNew } from "../project/templates.js";

export function newConnection(kind: string, nameArg: string | undefined): void {
  if (!/^[a-z][a-z0-9_]*$/.test(kind)) {
    throw new CliError(`"${kind}" is not a kind: use ${Object.keys(defaultUrls).join(", ")}, or a snake_case name of your own`);
  }
  const name = nameArg ?? kind;
  if (!/^[a-z][a-zA-Z0-9_]*$/.test(name)) throw new CliError(`"${name}" is not a connection name: use a lower-case identifier such as "main" or "cache"`);
  const project = findProject();
  const builtin = defaultUrls[kind] !== undefined;
  const initializer = builtin ? undefined : new Initializer(project);
  initializer?.requireFunctions("customConnections");

  const declared = declareConnection(project, name, kind);
  const configured = addConnectionConfig(project, name, builtin ? { url: defaultUrls[kind] } : { url: "", options: {} });
  let skeleton: string | undefined;
  if (initializer !== undefined) {
    const names = namesOf(name);
    const kindNames = namesOf(kind);
    if (names === undefined || kindNames === undefined) throw new CliError(`cannot make class names from "${name}" / "${kind}"`);
    const file = `src/connections/${names.kebab}.ts`;
    const data = { pkg: project.schemaPackage, name, kind, className: `${names.pascal}Connection`, baseName: `${kindNames.pascal}Connection`, file };
    if (writeNew(join(project.root, file), render("new/connection.ts.hbs", data))) skeleton = file;
    initializer.ensureImport("rony-ts/runtime", ["CustomConnectionConfig"], true);
    initializer.ensureImport(`./connections/${names.kebab}.js`, [data.className]);
    initializer.ensureReturnedProperty("customConnections", name, `(config: CustomConnectionConfig) => new ${data.className}("${name}", config)`);
    initializer.save();
  }

  if (!declared && !configured && skeleton === undefined && initializer?.changed !== true) {
    note(`connection ${name} (${kind}) is already there; nothing changed`);
    return;
  }
  if (declared) note(`  declared ${name} (${kind}) in schemas/${project.schemaPackage}/storage.proto`);
  if (configured) note(`  added its settings to rony.config.json (${envName(name)}_URL overrides them)`);
  if (configured && kind === "mysql") {
    // rony-ts creates tables, never databases: the user makes this one, or points the url elsewhere.
    const database = new URL(defaultUrls.mysql!).pathname.slice(1);
    note(`  it connects to ${defaultUrls.mysql}: create that database (CREATE DATABASE \`${database}\`), or set its url in rony.config.json or ${envName(name)}_URL`);
  }
  if (skeleton !== undefined) note(`  created ${skeleton}: complete connect() and close()`);
  if (initializer?.changed === true) note(`  registered it in customConnections() in ${project.initializer}`);
  note("Next: npm run gen");
}
