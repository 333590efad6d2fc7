// A file being generated. Code refers to other modules through import symbols; the file turns
// them into one import line per module and renames clashes, so plugins never write imports by hand.
import { safeIdentifier } from "./naming.js";

export interface ImportSymbol {
  readonly kind: "import";
  /** The export's name in its module. */
  readonly name: string;
  /** Module specifier, printed as is. */
  readonly from: string;
  readonly typeOnly: boolean;
}

export function importSymbol(name: string, from: string, typeOnly = false): ImportSymbol {
  return { kind: "import", name, from, typeOnly };
}

export type Printable = string | number | ImportSymbol | readonly Printable[];

// Lines are kept as strings; an import symbol is held as a placeholder "\u0001<n>\u0002" until
// toString knows its local name. Generated message modules run to 100k lines: no array per line.
// eslint-disable-next-line no-control-regex -- control characters are what no schema text holds
const PLACEHOLDER = /\u0001(\d+)\u0002/g;

export class GeneratedFile {
  private readonly lines: string[] = [];
  private readonly declared = new Set<string>();
  private readonly symbolIds = new Map<string, number>();
  private readonly symbols: ImportSymbol[] = [];

  constructor(
    /** Output path relative to the out dir ("examples/echo.rony.ts"). */
    readonly name: string,
    private readonly header: readonly string[],
  ) {}

  /** Reserves a top-level name this file declares, so no import takes it. */
  declare(name: string): string {
    this.declared.add(name);
    return name;
  }

  /** Appends one line made of the given parts (an empty call prints an empty line). */
  print(...parts: Printable[]): void {
    // join() makes one flat string; `+=` would keep a tree of string pieces alive per line.
    const only = parts.length === 1 ? parts[0] : undefined;
    const line = typeof only === "string" ? only : parts.map((p) => this.render(p)).join("");
    this.lines.push(line.endsWith(" ") ? line.trimEnd() : line);
  }

  private render(p: Printable): string {
    if (typeof p === "string") return p;
    if (typeof p === "number") return String(p);
    if (Array.isArray(p)) return (p as readonly Printable[]).map((q) => this.render(q)).join("");
    const s = p as ImportSymbol;
    const k = key(s);
    let id = this.symbolIds.get(k);
    if (id === undefined) {
      id = this.symbols.length;
      this.symbolIds.set(k, id);
      this.symbols.push(s);
    } else if (this.symbols[id]?.typeOnly === true && !s.typeOnly) {
      // A symbol used as a value anywhere needs a value import.
      this.symbols[id] = s;
    }
    return `\u0001${id}\u0002`;
  }

  toString(): string {
    // Packages first, then relative modules; names in order: the same input prints the same bytes.
    const rank = (s: ImportSymbol) => (s.from.startsWith(".") ? 1 : 0);
    const sorted = [...this.symbols].sort((a, b) => rank(a) - rank(b) || cmp(a.from, b.from) || cmp(a.name, b.name));
    const locals = this.resolveImports(sorted);
    const byId = this.symbols.map((s) => locals.get(key(s)) ?? "");
    let body = this.lines.join("\n");
    if (byId.length > 0) body = body.replace(PLACEHOLDER, (_m, id: string) => byId[Number(id)] ?? "");
    const text = [...this.header, ...this.importLines(sorted, locals), "", body].join("\n");
    return text.replace(/\n{3,}/g, "\n\n") + "\n";
  }

  private resolveImports(sorted: readonly ImportSymbol[]): Map<string, string> {
    const taken = new Set(this.declared);
    const locals = new Map<string, string>();
    for (const s of sorted) {
      const base = safeIdentifier(s.name);
      let local = base;
      for (let n = 1; taken.has(local); n++) local = `${base}$${n}`;
      taken.add(local);
      locals.set(key(s), local);
    }
    return locals;
  }

  private importLines(sorted: readonly ImportSymbol[], locals: Map<string, string>): string[] {
    const byModule = new Map<string, ImportSymbol[]>();
    for (const s of sorted) byModule.set(s.from, [...(byModule.get(s.from) ?? []), s]);
    const lines: string[] = [];
    for (const [from, symbols] of byModule) {
      const spec = (s: ImportSymbol) => (locals.get(key(s)) === s.name ? s.name : `${s.name} as ${locals.get(key(s))}`);
      const types = symbols.filter((s) => s.typeOnly).map(spec);
      const values = symbols.filter((s) => !s.typeOnly).map(spec);
      if (types.length > 0) lines.push(`import type { ${types.join(", ")} } from "${from}";`);
      if (values.length > 0) lines.push(`import { ${values.join(", ")} } from "${from}";`);
    }
    return lines;
  }
}

// Code-unit order, not locale order: output must not depend on the machine's locale.
function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function key(s: ImportSymbol): string {
  return `${s.from}\u0000${s.name}`;
}

/** Relative module specifier from one generated file to another module path ("a/b" → "../a/b.js"). */
export function relativeModule(fromFile: string, toModule: string, extension: string): string {
  const from = fromFile.split("/").slice(0, -1);
  const to = toModule.split("/");
  let common = 0;
  while (common < from.length && common < to.length - 1 && from[common] === to[common]) common++;
  const up = from.length - common;
  const rest = to.slice(common).join("/");
  return `${up === 0 ? "./" : "../".repeat(up)}${rest}${extension}`;
}
