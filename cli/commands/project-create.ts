// `rony-ts project create <dir>`: a complete, working project from templates/project.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, renameSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { CliError } from "../project/errors.js";
import { namesOf } from "../project/names.js";
import { packageRoot, packageVersion } from "../project/package-root.js";
import { note, step } from "../project/progress.js";
import { renderTree } from "../project/templates.js";
import { runGen } from "./gen.js";

export interface CreateOptions {
  /** npm package name; default: the folder name. */
  name?: string;
  /** Proto package (and schemas/ folder); default: the name in snake_case. */
  package?: string;
  /** How package.json depends on rony-ts, e.g. "^0.1.0" or "file:../rony-ts-0.1.0.tgz". */
  rony?: string;
  install: boolean;
  /** Install from the npm cache only. */
  offline?: boolean;
}

interface Manifest {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

export async function createProject(dirArg: string, options: CreateOptions): Promise<void> {
  const dir = resolve(dirArg);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} exists and is not empty; pick a new folder`);
  const name = options.name ?? basename(dir);
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(name)) {
    throw new CliError(`"${name}" is not a valid npm package name; pass --name`);
  }
  const pkg = options.package ?? namesOf(name.replace(/^@[^/]+\//, ""))?.snake;
  if (pkg === undefined || !/^[a-z][a-z0-9_]*$/.test(pkg)) throw new CliError(`cannot make a proto package from "${name}"; pass --package`);

  const own = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as Manifest;
  const version = (deps: Record<string, string>, dep: string) => {
    const spec = deps[dep];
    if (spec === undefined) throw new Error(`rony-ts's package.json lacks ${dep}`);
    return spec;
  };
  const files = await step(`creating ${dir}`, () => {
    const written = renderTree("project", dir, {
      name,
      pkg,
      pkgDir: pkg,
      ronySpec: options.rony ?? `^${packageVersion}`,
      protobufVersion: version(own.dependencies, "@bufbuild/protobuf"),
      typescriptVersion: version(own.devDependencies, "typescript"),
      tsxVersion: version(own.devDependencies, "tsx"),
      vitestVersion: version(own.devDependencies, "vitest"),
      typesNodeVersion: version(own.devDependencies, "@types/node"),
    });
    // npm drops files named .gitignore from packages, so the template is "gitignore".
    renameSync(join(dir, "gitignore"), join(dir, ".gitignore"));
    cpSync(join(packageRoot, "schemas/rony/options.proto"), join(dir, "schemas/rony/options.proto"));
    return written;
  });
  for (const f of files) note(`  ${f === "gitignore" ? ".gitignore" : f}`);
  note("  schemas/rony/options.proto");

  if (options.install) {
    await step("installing dependencies (npm install)", () => {
      const args = ["install", "--no-audit", "--no-fund", options.offline === true ? "--offline" : "--prefer-offline"];
      const run = spawnSync("npm", args, { cwd: dir, encoding: "utf8" });
      if (run.status !== 0) throw new CliError(`npm install failed in ${dir}:\n${run.stderr.trim()}`, 1);
    });
  }
  await runGen(dir);

  note("");
  note(`Created ${name}. Next:`);
  note(`  cd ${dirArg}`);
  if (!options.install) note("  npm install");
  note("  npm test          # the sample's tests");
  note("  npm start         # serves the sample over WebSocket and HTTP");
  note("  npx rony-ts new service <name> | new model <name> | new connection <kind> [name]");
}
