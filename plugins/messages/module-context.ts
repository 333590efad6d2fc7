// What printing one message module needs: the file, how to name types of this and other modules,
// and which helper functions the printed code used (only those are emitted).
import { importSymbol, lowerFirst, type FileSink, type GeneratedFile, type Printable, type TypeFileIR, type TypeRef } from "../../compiler/index.js";
import { messageSymbol } from "../common/imports.js";
import { helperIdentifiers } from "./helpers.js";

export class ModuleContext {
  readonly helpers = new Set<string>();
  /** The schema's own top-level names in this module: helpers and globals must step around them. */
  private readonly declared: ReadonlySet<string>;
  private readonly renames: readonly [RegExp, string][];

  constructor(
    readonly out: GeneratedFile,
    private readonly sink: FileSink,
    readonly file: TypeFileIR,
  ) {
    const enumNames = file.enums.flatMap((e) => [e.tsName, enumFunctionName(e.tsName, "FromJSON"), enumFunctionName(e.tsName, "ToJSON")]);
    this.declared = new Set([...file.messages.map((m) => m.tsName), ...enumNames, "protobufPackage"]);
    for (const name of this.declared) out.declare(name);
    // A helper named like a schema type becomes "<name>$" (proto names never hold "$"). Helpers are
    // always called or instantiated, `name(` or `name<`; a type of the schema never is.
    const helperNames = [...helperIdentifiers, ...file.messages.map((m) => `createBase${m.tsName}`)];
    const call = (name: string) => new RegExp(`(?<![\\w$.])${name}(?=[(<])`, "g");
    this.renames = [
      ...helperNames.filter((h) => this.declared.has(h)).map((h): [RegExp, string] => [call(h), `${h}$`]),
      // `new Uint8Array(0)`, `Array<any>`: the global, never a schema type.
      ...["Uint8Array", "Date", "Array"].filter((g) => this.declared.has(g)).map((g): [RegExp, string] => [call(g), `globalThis.${g}`]),
    ];
    for (const h of helperNames) out.declare(this.declared.has(h) ? `${h}$` : h);
  }

  /** Prints a line of this module, helper names stepped around the schema's names. */
  print(...parts: Printable[]): void {
    this.out.print(...(this.renames.length === 0 ? parts : parts.map((p) => this.renamed(p))));
  }

  private renamed(p: Printable): Printable {
    if (typeof p === "string") return this.renames.reduce((s, [re, to]) => s.replace(re, to), p);
    return Array.isArray(p) ? (p as readonly Printable[]).map((q) => this.renamed(q)) : p;
  }

  /** A global type or constructor, as `globalThis.<name>` when a schema type shadows it. */
  global(name: "Uint8Array" | "Date" | "Array"): string {
    return this.declared.has(name) ? `globalThis.${name}` : name;
  }

  /** A message or enum: its local name, or an import from its module. */
  ref(ref: TypeRef, typeOnly = false): Printable {
    return ref.protoFile === this.file.name ? ref.tsName : messageSymbol(this.sink, this.out.name, ref, typeOnly);
  }

  /** An enum's `<name>FromJSON` / `<name>ToJSON` function. */
  enumFunction(ref: TypeRef, suffix: "FromJSON" | "ToJSON"): Printable {
    const name = enumFunctionName(ref.tsName, suffix);
    return ref.protoFile === this.file.name ? name : messageSymbol(this.sink, this.out.name, { ...ref, tsName: name });
  }

  /** BinaryReader / BinaryWriter of @bufbuild/protobuf. */
  wire(name: "BinaryReader" | "BinaryWriter"): Printable {
    return importSymbol(name, "@bufbuild/protobuf/wire");
  }

  use(...helpers: string[]): void {
    for (const h of helpers) this.helpers.add(h);
  }
}

export function enumFunctionName(tsName: string, suffix: "FromJSON" | "ToJSON"): string {
  return `${lowerFirst(tsName)}${suffix}`;
}

/** `obj.name`, or `obj["name"]` when the name is not an identifier. */
export function prop(obj: string, name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

/** Reads `obj.name` as an own property when Object.prototype has that name too (constructor,
 * toString, __proto__): a JSON or partial object without the field must not yield the inherited one. */
export function ownProp(ctx: ModuleContext, obj: string, name: string): string {
  if (!(name in Object.prototype)) return prop(obj, name);
  ctx.use("own");
  return `own(${obj}, ${JSON.stringify(name)})`;
}

/** A property name in an object literal; `["__proto__"]` makes an own property, not the prototype. */
export function key(name: string): string {
  if (name === "__proto__") return '["__proto__"]';
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name);
}
