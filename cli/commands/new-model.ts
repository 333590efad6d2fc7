// `rony-ts new model <name>`: a model message on a declared connection, its repository in ctx.models.
import { join } from "node:path";
import { CliError } from "../project/errors.js";
import { Initializer } from "../project/initializer.js";
import { namesOf } from "../project/names.js";
import { note } from "../project/progress.js";
import { findProject } from "../project/project.js";
import { declaredConnections } from "../project/storage-schema.js";
import { render, writeNew } from "../project/templates.js";

export function newModel(nameArg: string, connection: string): void {
  const project = findProject();
  const names = namesOf(nameArg);
  if (names === undefined) throw new CliError(`"${nameArg}" is not a usable name: start with a letter, e.g. "invoice"`);
  const declared = declaredConnections(project);
  if (!declared.has(connection)) {
    const known = [...declared.keys()].join(", ") || "none";
    throw new CliError(`connection "${connection}" is not declared (declared: ${known}); add it with: rony-ts new connection <kind> ${connection}`);
  }
  const initializer = new Initializer(project);
  initializer.requireFunctions("createModels", "migrateModels");

  const proto = `schemas/${project.schemaPackage}/${names.snake}.proto`;
  const data = { pkg: project.schemaPackage, pascal: names.pascal, snake: names.snake, connection };
  const wrote = writeNew(join(project.root, proto), render("new/model.proto.hbs", data));

  const generated = `../generated/${project.schemaPackage}/${names.snake}.models.js`;
  initializer.ensureImport(generated, [`create${names.pascal}Models`, `migrate${names.pascal}Models`]);
  initializer.ensureReturnedSpread("createModels", `create${names.pascal}Models(connections)`);
  initializer.ensureStatement("migrateModels", `await migrate${names.pascal}Models(connections);`);
  initializer.save();

  if (!wrote && !initializer.changed) {
    note(`model ${names.pascal} is already there; nothing changed`);
    return;
  }
  if (wrote) note(`  created ${proto}`);
  if (initializer.changed) note(`  added its repository to createModels() in ${project.initializer} (ctx.models.${names.camel})`);
  note("Next: npm run gen");
}
