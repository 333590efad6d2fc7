// `rony-ts new service <name>`: a proto stub, an implementation, and its registration in the initializer.
import { join } from "node:path";
import { CliError } from "../project/errors.js";
import { Initializer } from "../project/initializer.js";
import { namesOf } from "../project/names.js";
import { note } from "../project/progress.js";
import { findProject } from "../project/project.js";
import { render, writeNew } from "../project/templates.js";

export function newService(nameArg: string): void {
  const project = findProject();
  const names = namesOf(nameArg);
  if (names === undefined) throw new CliError(`"${nameArg}" is not a usable name: start with a letter, e.g. "billing" or "UserProfile"`);
  const initializer = new Initializer(project);
  initializer.requireFunctions("registerServices");

  const data = { pkg: project.schemaPackage, pascal: names.pascal, camel: names.camel, snake: names.snake, kebab: names.kebab };
  const proto = `schemas/${project.schemaPackage}/${names.snake}.proto`;
  const impl = `src/services/${names.kebab}.ts`;
  const wrote = [
    writeNew(join(project.root, proto), render("new/service.proto.hbs", data)) ? proto : undefined,
    writeNew(join(project.root, impl), render("new/service.ts.hbs", data)) ? impl : undefined,
  ].filter((f) => f !== undefined);

  initializer.ensureImport(`../generated/${project.schemaPackage}/${names.snake}.rony.js`, [`register${names.pascal}`]);
  initializer.ensureImport(`./services/${names.kebab}.js`, [`${names.pascal}Service`]);
  initializer.ensureStatement("registerServices", `register${names.pascal}(registry, new ${names.pascal}Service());`);
  initializer.save();

  if (wrote.length === 0 && !initializer.changed) {
    note(`service ${names.pascal} is already there; nothing changed`);
    return;
  }
  for (const f of wrote) note(`  created ${f}`);
  if (initializer.changed) note(`  registered ${names.pascal}Service in ${project.initializer}`);
  note("Next: npm run gen");
}
