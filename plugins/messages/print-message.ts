// A message: its interface, and a const of the same name holding its codec (encode, decode,
// fromJSON, toJSON, create, fromPartial), the shape ts-proto made familiar.
import { quote, type MessageDefIR, type Printable } from "../../compiler/index.js";
import { docLines } from "../common/imports.js";
import { decodeCases, encodeLines, fromJsonLine, fromPartialLines, initialValue, propertyLine, toJsonLines } from "./fields.js";
import { key, type ModuleContext } from "./module-context.js";
import { wellKnownMembers, wellKnownType } from "./well-known.js";

export function printInterface(ctx: ModuleContext, m: MessageDefIR): void {
  for (const line of docLines(m.comment)) ctx.print(line);
  ctx.print(`export interface ${m.tsName} {`);
  for (const f of m.fields) {
    for (const line of docLines(f.comment, "  ")) ctx.print(line);
    ctx.print(...propertyLine(ctx, f));
  }
  ctx.print("}");
  ctx.print();
}

export function printCodec(ctx: ModuleContext, m: MessageDefIR): void {
  const T = m.tsName;
  const print = (lines: Printable[][]) => {
    for (const l of lines) ctx.print(...l);
  };
  const base = `createBase${T}`;
  ctx.print(`function ${base}(): ${T} {`);
  ctx.print(`  return { ${m.fields.map((f) => `${key(f.tsName)}: ${initialValue(f)}`).join(", ")} };`);
  ctx.print("}");
  ctx.print();
  ctx.print(`export const ${T}: MessageFns<${T}>${wellKnownType(m)} = {`);
  const unused = m.fields.length === 0 ? "_" : "";
  ctx.print(`  encode(${unused}message: ${T}, writer: `, ctx.wire("BinaryWriter"), " = new ", ctx.wire("BinaryWriter"), "()): ", ctx.wire("BinaryWriter"), " {");
  for (const f of m.fields) print(encodeLines(ctx, f));
  ctx.print("    return writer;");
  ctx.print("  },");
  ctx.print();
  ctx.print("  decode(input: ", ctx.wire("BinaryReader"), ` | ${ctx.global("Uint8Array")}, length?: number): `, T, " {");
  ctx.print("    const reader = input instanceof ", ctx.wire("BinaryReader"), " ? input : new ", ctx.wire("BinaryReader"), "(input);");
  let indent = "";
  if (m.recursive) {
    // Only types that can nest themselves count depth: a hostile frame cannot overflow the stack.
    ctx.print("    const depth: number = (reader as any).__ronyDecodeDepth ?? 0;");
    ctx.print('    if (depth >= 100) throw new globalThis.Error("protobuf decode recursion limit exceeded");');
    ctx.print("    (reader as any).__ronyDecodeDepth = depth + 1;");
    ctx.print("    try {");
    indent = "  ";
  }
  ctx.print(`${indent}    const end = length === undefined ? reader.len : reader.pos + length;`);
  ctx.print(`${indent}    const message = ${base}();`);
  ctx.print(`${indent}    while (reader.pos < end) {`);
  ctx.print(`${indent}      const tag = reader.uint32();`);
  if (m.fields.length > 0) {
    ctx.print(`${indent}      switch (tag) {`);
    for (const f of m.fields) for (const l of decodeCases(ctx, f)) ctx.print(indent, ...l);
    ctx.print(`${indent}      }`);
  }
  // An end-group tag ends a group (decoded without a length); inside a length-delimited message it,
  // and tag 0 anywhere, mean corrupt bytes: stop there instead of reading on from the middle.
  ctx.print(`${indent}      if ((tag & 7) === 4 && length === undefined) break;`);
  ctx.print(`${indent}      if ((tag & 7) === 4 || tag === 0) throw new globalThis.Error(\`invalid tag \${tag} before offset \${reader.pos}\`);`);
  ctx.print(`${indent}      reader.skip(tag & 7, tag >>> 3);`);
  ctx.print(`${indent}    }`);
  ctx.print(`${indent}    return message;`);
  if (m.recursive) {
    ctx.print("    } finally {");
    ctx.print("      (reader as any).__ronyDecodeDepth = depth;");
    ctx.print("    }");
  }
  ctx.print("  },");
  ctx.print();
  // Only a JSON object is a message; unknown keys are ignored (docs/messages.md).
  ctx.use("jsonObject");
  ctx.print(`  fromJSON(object: any): ${T} {`);
  ctx.print(`    jsonObject(object, ${JSON.stringify(m.fullName)});`);
  ctx.print("    return {");
  for (const f of m.fields) ctx.print(...fromJsonLine(ctx, m.fullName, f));
  ctx.print("    };");
  ctx.print("  },");
  ctx.print();
  ctx.print(`  toJSON(${unused}message: ${T}): unknown {`);
  ctx.print("    const obj: any = {};");
  for (const f of m.fields) print(toJsonLines(ctx, f));
  ctx.print("    return obj;");
  ctx.print("  },");
  ctx.print();
  ctx.print(`  create(base?: DeepPartial<${T}>): ${T} {`);
  ctx.print(`    return ${T}.fromPartial(base ?? {});`);
  ctx.print("  },");
  ctx.print();
  ctx.print(`  fromPartial(${unused}object: DeepPartial<${T}>): ${T} {`);
  ctx.print(`    const message = ${base}();`);
  for (const f of m.fields) print(fromPartialLines(ctx, f));
  ctx.print("    return message;");
  ctx.print("  },");
  print(wellKnownMembers(ctx, m, base));
  ctx.print("};");
  ctx.print();
}

export function printPackage(ctx: ModuleContext): void {
  ctx.print(`export const protobufPackage = ${quote(ctx.file.package)};`);
  ctx.print();
}
