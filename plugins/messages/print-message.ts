// A message: its interface, and a const of the same name holding its codec (encode, decode,
// fromJSON, toJSON, create, fromPartial), the shape ts-proto made familiar.
import { quote, type MessageDefIR, type Printable } from "../../compiler/index.js";
import { docLines } from "../common/imports.js";
import { decodeCases, encodeLines, fromJsonLine, fromPartialLines, initialValue, propertyLine, toJsonLines } from "./fields.js";
import { key, type ModuleContext } from "./module-context.js";
import { wellKnownMembers, wellKnownType } from "./well-known.js";

export function printInterface(ctx: ModuleContext, m: MessageDefIR): void {
  const out = ctx.out;
  for (const line of docLines(m.comment)) out.print(line);
  out.print(`export interface ${out.declare(m.tsName)} {`);
  for (const f of m.fields) {
    for (const line of docLines(f.comment, "  ")) out.print(line);
    out.print(...propertyLine(ctx, f));
  }
  out.print("}");
  out.print();
}

export function printCodec(ctx: ModuleContext, m: MessageDefIR): void {
  const out = ctx.out;
  const T = m.tsName;
  const print = (lines: Printable[][]) => {
    for (const l of lines) out.print(...l);
  };
  const base = out.declare(`createBase${T}`);
  out.print(`function ${base}(): ${T} {`);
  out.print(`  return { ${m.fields.map((f) => `${key(f.tsName)}: ${initialValue(f)}`).join(", ")} };`);
  out.print("}");
  out.print();
  out.print(`export const ${T}: MessageFns<${T}>${wellKnownType(m)} = {`);
  const unused = m.fields.length === 0 ? "_" : "";
  out.print(`  encode(${unused}message: ${T}, writer: `, ctx.wire("BinaryWriter"), " = new ", ctx.wire("BinaryWriter"), "()): ", ctx.wire("BinaryWriter"), " {");
  for (const f of m.fields) print(encodeLines(ctx, f));
  out.print("    return writer;");
  out.print("  },");
  out.print();
  out.print("  decode(input: ", ctx.wire("BinaryReader"), " | Uint8Array, length?: number): ", T, " {");
  out.print("    const reader = input instanceof ", ctx.wire("BinaryReader"), " ? input : new ", ctx.wire("BinaryReader"), "(input);");
  let indent = "";
  if (m.recursive) {
    // Only types that can nest themselves count depth: a hostile frame cannot overflow the stack.
    out.print("    const depth: number = (reader as any).__ronyDecodeDepth ?? 0;");
    out.print('    if (depth >= 100) throw new globalThis.Error("protobuf decode recursion limit exceeded");');
    out.print("    (reader as any).__ronyDecodeDepth = depth + 1;");
    out.print("    try {");
    indent = "  ";
  }
  out.print(`${indent}    const end = length === undefined ? reader.len : reader.pos + length;`);
  out.print(`${indent}    const message = ${base}();`);
  out.print(`${indent}    while (reader.pos < end) {`);
  out.print(`${indent}      const tag = reader.uint32();`);
  if (m.fields.length > 0) {
    out.print(`${indent}      switch (tag) {`);
    for (const f of m.fields) for (const l of decodeCases(ctx, f)) out.print(indent, ...l);
    out.print(`${indent}      }`);
  }
  out.print(`${indent}      if ((tag & 7) === 4 || tag === 0) break;`);
  out.print(`${indent}      reader.skip(tag & 7, tag >>> 3);`);
  out.print(`${indent}    }`);
  out.print(`${indent}    return message;`);
  if (m.recursive) {
    out.print("    } finally {");
    out.print("      (reader as any).__ronyDecodeDepth = depth;");
    out.print("    }");
  }
  out.print("  },");
  out.print();
  out.print(`  fromJSON(${unused}object: any): ${T} {`);
  out.print("    return {");
  for (const f of m.fields) out.print(...fromJsonLine(ctx, f));
  out.print("    };");
  out.print("  },");
  out.print();
  out.print(`  toJSON(${unused}message: ${T}): unknown {`);
  out.print("    const obj: any = {};");
  for (const f of m.fields) print(toJsonLines(ctx, f));
  out.print("    return obj;");
  out.print("  },");
  out.print();
  out.print(`  create(base?: DeepPartial<${T}>): ${T} {`);
  out.print(`    return ${T}.fromPartial(base ?? {});`);
  out.print("  },");
  out.print();
  out.print(`  fromPartial(${unused}object: DeepPartial<${T}>): ${T} {`);
  out.print(`    const message = ${base}();`);
  for (const f of m.fields) print(fromPartialLines(ctx, f));
  out.print("    return message;");
  out.print("  },");
  print(wellKnownMembers(ctx, m, base));
  out.print("};");
  out.print();
}

export function printPackage(ctx: ModuleContext): void {
  ctx.out.print(`export const ${ctx.out.declare("protobufPackage")} = ${quote(ctx.file.package)};`);
  ctx.out.print();
}
