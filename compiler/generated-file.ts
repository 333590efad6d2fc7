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

export class GeneratedFile {
  private readonly lines: Printable[][] = [];
  private readonly declared = new Set<string>();

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
    this.lines.push(parts);
  }

  toString(): string {
    const locals = this.resolveImports();
    const render = (p: Printable): string =>
      typeof p === "string" ? p : typeof p === "number" ? String(p) : Array.isArray(p) ? p.map(render).join("") : locals.get(key(p as ImportSymbol)) ?? "";
    const body = this.lines.map((parts) => parts.map(render).join("").trimEnd());
    return [...this.header, ...this.importLines(locals), "", ...body].join("\n").replace(/\n{3,}/g, "\n\n") + "\n";
  }

  private symbols(): ImportSymbol[] {
    const found = new Map<string, ImportSymbol>();
    const visit = (p: Printable): void => {
      if (Array.isArray(p)) p.forEach(visit);
      else if (typeof p === "object") {
        const s = p as ImportSymbol;
        const prev = found.get(key(s));
        // A symbol used as a value anywhere needs a value import.
        if (prev === undefined || (prev.typeOnly && !s.typeOnly)) found.set(key(s), s);
      }
    };
    this.lines.forEach((line) => line.forEach(visit));
    // Packages first, then relative modules; names in order: the same input prints the same bytes.
    const rank = (s: ImportSymbol) => (s.from.startsWith(".") ? 1 : 0);
    return [...found.values()].sort((a, b) => rank(a) - rank(b) || cmp(a.from, b.from) || cmp(a.name, b.name));
  }

  private resolveImports(): Map<string, string> {
    const taken = new Set(this.declared);
    const locals = new Map<string, string>();
    for (const s of this.symbols()) {
      const base = safeIdentifier(s.name);
      let local = base;
      for (let n = 1; taken.has(local); n++) local = `${base}$${n}`;
      taken.add(local);
      locals.set(key(s), local);
    }
    return locals;
  }

  private importLines(locals: Map<string, string>): string[] {
    const byModule = new Map<string, ImportSymbol[]>();
    for (const s of this.symbols()) byModule.set(s.from, [...(byModule.get(s.from) ?? []), s]);
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
