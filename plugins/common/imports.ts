// Import symbols shared by plugins: message modules and the runtime.
import { importSymbol, relativeModule, type FileSink, type ImportSymbol, type TypeRef } from "../../compiler/index.js";

/** The export of a message or enum, imported from its module relative to `fromFile`. */
export function messageSymbol(sink: FileSink, fromFile: string, ref: TypeRef, typeOnly = false): ImportSymbol {
  const module = ref.protoFile.replace(/\.proto$/, "");
  return importSymbol(ref.tsName, relativeModule(fromFile, module, sink.params.importExtension), typeOnly);
}

/** A runtime export; `entry` is "" for the server runtime or "rpc" / "client" for browser-safe parts. */
export function runtimeSymbol(sink: FileSink, entry: "" | "rpc" | "client", name: string, typeOnly = false): ImportSymbol {
  const from = entry === "" ? sink.params.runtimeImport : `${sink.params.runtimeImport}/${entry}`;
  return importSymbol(name, from, typeOnly);
}

/** A JSDoc block from a proto comment, or nothing. */
export function docLines(comment: string, indent = ""): string[] {
  if (comment.trim() === "") return [];
  const lines = comment.replaceAll("*/", "*\\/").split("\n").map((l) => l.trim());
  return [`${indent}/**`, ...lines.map((l) => (l === "" ? `${indent} *` : `${indent} * ${l}`)), `${indent} */`];
}
