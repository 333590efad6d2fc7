// Per file: the repositories bound to their connections, and the migrate step.
import { lowerFirst, pascalCase, safeMember, type FileIR, type FileSink, type GeneratedFile } from "../../compiler/index.js";
import { runtimeSymbol } from "../common/imports.js";

/** "examples/notes.proto" → "Notes". */
export function fileTypeName(file: FileIR): string {
  const base = file.name.split("/").pop()?.replace(/\.proto$/, "") ?? file.name;
  return pascalCase(base.replace(/[^A-Za-z0-9_]/g, "_"));
}

export function printFileFactory(out: GeneratedFile, sink: FileSink, file: FileIR): void {
  const prefix = fileTypeName(file);
  const store = runtimeSymbol(sink, "", "ModelStore", true);
  const connections = [...new Set(file.models.map((m) => m.connection.name))];
  const param = ["connections: { ", connections.flatMap((c, i) => [i > 0 ? "; " : "", `readonly ${c}: `, store]), " }"];
  const member = (tsName: string) => safeMember(lowerFirst(tsName));

  out.print(`/** One repository per model of ${file.name}. */`);
  out.print(`export interface ${out.declare(`${prefix}Models`)} {`);
  for (const m of file.models) out.print(`  readonly ${member(m.message.tsName)}: ${m.message.tsName}Repository;`);
  out.print("}");
  out.print();
  out.print(`/** The repositories of ${file.name}, each on its declared connection (a store: memory, mysql, redis). */`);
  out.print(`export function ${out.declare(`create${prefix}Models`)}(`, param, `): ${prefix}Models {`);
  out.print("  return {");
  for (const m of file.models) {
    out.print(`    ${member(m.message.tsName)}: new ${m.message.tsName}Repository(connections.${m.connection.name}),`);
  }
  out.print("  };");
  out.print("}");
  out.print();
  out.print(`/** Creates the tables, columns and indexes these models need where missing (MySQL); safe to run on every start. */`);
  out.print(`export async function ${out.declare(`migrate${prefix}Models`)}(`, param, "): Promise<void> {");
  for (const c of connections) {
    const models = file.models.filter((m) => m.connection.name === c).map((m) => `${m.message.tsName}Model`);
    out.print(`  await connections.${c}.migrate([${models.join(", ")}]);`);
  }
  out.print("}");
}
