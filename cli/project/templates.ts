// Renders handlebars templates from <package>/templates. A path segment "__pkg__" takes the proto
// package folder; ".hbs" is dropped.
import Handlebars from "handlebars";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { packageRoot } from "./package-root.js";
import { CliError } from "./errors.js";

export type TemplateData = Record<string, string | boolean | number>;

const templatesDir = join(packageRoot, "templates");

export function render(template: string, data: TemplateData): string {
  const source = readFileSync(join(templatesDir, template), "utf8");
  return Handlebars.compile(source, { noEscape: true, strict: true })(data);
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => (statSync(join(dir, e)).isDirectory() ? walk(join(dir, e)) : [join(dir, e)]));
}

/** Renders every file of templates/<folder> into `target`; refuses to overwrite anything. */
export function renderTree(folder: string, target: string, data: TemplateData): string[] {
  const root = join(templatesDir, folder);
  const written: string[] = [];
  for (const file of walk(root).sort()) {
    const rel = relative(root, file).replaceAll("__pkg__", String(data.pkgDir)).replace(/\.hbs$/, "");
    const out = join(target, rel);
    if (existsSync(out)) throw new CliError(`${out} already exists; nothing was overwritten`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, render(relative(templatesDir, file), data));
    written.push(rel);
  }
  return written;
}

/** Writes one rendered template, refusing to overwrite. Returns false when `out` exists with the same content. */
export function writeNew(out: string, content: string): boolean {
  if (existsSync(out)) {
    if (readFileSync(out, "utf8") === content) return false;
    throw new CliError(`${out} already exists and differs from what rony-ts would write; remove it or pick another name`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, content);
  return true;
}
