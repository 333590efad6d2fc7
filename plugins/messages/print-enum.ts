// An enum: a TypeScript enum (numbers, UNRECOGNIZED = -1) and its JSON name conversions.
import { quote, type EnumDefIR } from "../../compiler/index.js";
import { docLines } from "../common/imports.js";
import { enumFunctionName, type ModuleContext } from "./module-context.js";

export function printEnum(ctx: ModuleContext, e: EnumDefIR): void {
  for (const line of docLines(e.comment)) ctx.print(line);
  ctx.print(`export enum ${e.tsName} {`);
  for (const v of e.values) {
    for (const line of docLines(v.comment, "  ")) ctx.print(line);
    ctx.print(`  ${v.name} = ${v.number},`);
  }
  ctx.print("  UNRECOGNIZED = -1,");
  ctx.print("}");
  ctx.print();
  // Aliases share a number: the first name wins when printing, every name is read.
  const firstByNumber = new Map<number, string>();
  for (const v of e.values) if (!firstByNumber.has(v.number)) firstByNumber.set(v.number, v.name);
  ctx.print(`export function ${enumFunctionName(e.tsName, "FromJSON")}(object: any): ${e.tsName} {`);
  ctx.print("  switch (object) {");
  for (const [num, name] of firstByNumber) {
    ctx.print(`    case ${num}:`);
    for (const v of e.values) if (v.number === num) ctx.print(`    case ${quote(v.name)}:`);
    ctx.print(`      return ${e.tsName}.${name};`);
  }
  ctx.print("    default:");
  ctx.print(`      return ${e.tsName}.UNRECOGNIZED;`);
  ctx.print("  }");
  ctx.print("}");
  ctx.print();
  ctx.print(`export function ${enumFunctionName(e.tsName, "ToJSON")}(object: ${e.tsName}): string {`);
  ctx.print("  switch (object) {");
  for (const [, name] of firstByNumber) {
    ctx.print(`    case ${e.tsName}.${name}:`);
    ctx.print(`      return ${quote(name)};`);
  }
  ctx.print("    default:");
  ctx.print('      return "UNRECOGNIZED";');
  ctx.print("  }");
  ctx.print("}");
  ctx.print();
}
