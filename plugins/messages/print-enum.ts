// An enum: a TypeScript enum (numbers, UNRECOGNIZED = -1) and its JSON name conversions.
import { quote, type EnumDefIR } from "../../compiler/index.js";
import { docLines } from "../common/imports.js";
import { enumFunctionName, type ModuleContext } from "./module-context.js";

export function printEnum(ctx: ModuleContext, e: EnumDefIR): void {
  const out = ctx.out;
  for (const line of docLines(e.comment)) out.print(line);
  out.print(`export enum ${out.declare(e.tsName)} {`);
  for (const v of e.values) {
    for (const line of docLines(v.comment, "  ")) out.print(line);
    out.print(`  ${v.name} = ${v.number},`);
  }
  out.print("  UNRECOGNIZED = -1,");
  out.print("}");
  out.print();
  // Aliases share a number: the first name wins when printing, every name is read.
  const firstByNumber = new Map<number, string>();
  for (const v of e.values) if (!firstByNumber.has(v.number)) firstByNumber.set(v.number, v.name);
  out.print(`export function ${out.declare(enumFunctionName(e.tsName, "FromJSON"))}(object: any): ${e.tsName} {`);
  out.print("  switch (object) {");
  for (const [num, name] of firstByNumber) {
    out.print(`    case ${num}:`);
    for (const v of e.values) if (v.number === num) out.print(`    case ${quote(v.name)}:`);
    out.print(`      return ${e.tsName}.${name};`);
  }
  out.print("    default:");
  out.print(`      return ${e.tsName}.UNRECOGNIZED;`);
  out.print("  }");
  out.print("}");
  out.print();
  out.print(`export function ${out.declare(enumFunctionName(e.tsName, "ToJSON"))}(object: ${e.tsName}): string {`);
  out.print("  switch (object) {");
  for (const [, name] of firstByNumber) {
    out.print(`    case ${e.tsName}.${name}:`);
    out.print(`      return ${quote(name)};`);
  }
  out.print("    default:");
  out.print('      return "UNRECOGNIZED";');
  out.print("  }");
  out.print("}");
  out.print();
}
