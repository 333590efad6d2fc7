// x.proto → x.ts: every message and enum of the file, with binary and JSON codecs. Imported files
// whose types are reached (well-known types) get their module too. docs/messages.md has the mapping.
import { type GeneratorPlugin, type Printable, type TypeFileIR } from "../../compiler/index.js";
import { helperSource } from "./helpers.js";
import { ModuleContext } from "./module-context.js";
import { printEnum } from "./print-enum.js";
import { printCodec, printInterface, printPackage } from "./print-message.js";

export const messagesPlugin: GeneratorPlugin = {
  name: "messages",
  generate(schema, sink) {
    // messages=none: ts-proto (or another generator of the same shape) writes x.ts beside us.
    if (sink.params.messages === "none") return;
    for (const file of schema.typeFiles) {
      const ctx = new ModuleContext(sink.newFile(`${file.modulePath}.ts`, file.name), sink, file);
      printModule(ctx, file);
    }
  },
};

function printModule(ctx: ModuleContext, file: TypeFileIR): void {
  printPackage(ctx);
  for (const e of file.enums) printEnum(ctx, e);
  for (const m of file.messages) printInterface(ctx, m);
  for (const m of file.messages) printCodec(ctx, m);
  if (file.messages.length > 0) ctx.use("types");
  for (const source of helperSource(ctx.helpers)) {
    for (const line of source.split("\n")) ctx.print(...withSymbols(ctx, line));
    ctx.print();
  }
}

// Helper sources name BinaryReader/BinaryWriter/Timestamp; print them as imports so clashes get renamed.
function withSymbols(ctx: ModuleContext, line: string): Printable[] {
  const parts = line.split(/\b(BinaryReader|BinaryWriter|Timestamp)\b/);
  return parts.map((p, i) => {
    if (i % 2 === 0) return p;
    if (p === "Timestamp") return ctx.ref({ fullName: "google.protobuf.Timestamp", tsName: "Timestamp", protoFile: "google/protobuf/timestamp.proto" });
    return ctx.wire(p as "BinaryReader" | "BinaryWriter");
  });
}
