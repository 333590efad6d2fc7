// AST edits of the user's app initializer with ts-morph: add an import, a statement in a function,
// a property in an object literal. The user's own code and formatting stay as they were; an
// edit that is already there is not made twice.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { IndentationText, Node, Project as MorphProject, QuoteKind, SyntaxKind, type FunctionDeclaration, type ObjectLiteralExpression, type SourceFile } from "ts-morph";
import { CliError } from "./errors.js";
import type { Project } from "./project.js";

const squash = (text: string) => text.replace(/\s+/g, "");

export class Initializer {
  readonly #file: SourceFile;
  readonly #path: string;
  #changed = false;

  constructor(project: Project) {
    this.#path = join(project.root, project.initializer);
    if (!existsSync(this.#path)) {
      throw new CliError(`the app initializer ${project.initializer} is missing (package.json "rony.initializer" names it); nothing was changed`);
    }
    const morph = new MorphProject({
      skipAddingFilesFromTsConfig: true,
      skipFileDependencyResolution: true,
      manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double },
    });
    this.#file = morph.addSourceFileAtPath(this.#path);
  }

  get changed(): boolean {
    return this.#changed;
  }

  /** Checks up front that every function the edits need exists, so a refusal changes nothing. */
  requireFunctions(...names: string[]): void {
    for (const name of names) this.#function(name);
  }

  /** Imports `names` from the module, joining an existing import of it (as `type X` for type-only names). */
  ensureImport(moduleSpecifier: string, names: readonly string[], typeOnly = false): void {
    const declarations = this.#file.getImportDeclarations().filter((d) => d.getModuleSpecifierValue() === moduleSpecifier);
    const existing = declarations.find((d) => !d.isTypeOnly()) ?? (typeOnly ? declarations[0] : undefined);
    if (existing === undefined) {
      this.#file.addImportDeclaration({ moduleSpecifier, namedImports: [...names], isTypeOnly: typeOnly });
      this.#changed = true;
      return;
    }
    const have = new Set(declarations.flatMap((d) => d.getNamedImports().map((n) => n.getName())));
    const missing = names.filter((n) => !have.has(n));
    if (missing.length > 0) {
      existing.addNamedImports(missing.map((name) => ({ name, isTypeOnly: typeOnly && !existing.isTypeOnly() })));
      this.#changed = true;
    }
  }

  /** Appends `statement` to the body of `functionName` (before a final `return`) unless it is there. */
  ensureStatement(functionName: string, statement: string): void {
    const fn = this.#function(functionName);
    const statements = fn.getStatements();
    if (statements.some((s) => squash(s.getText()) === squash(statement))) return;
    const last = statements.at(-1);
    const index = last !== undefined && Node.isReturnStatement(last) ? statements.length - 1 : statements.length;
    fn.insertStatements(index, statement);
    this.#changed = true;
  }

  /** Adds `name: initializer` to the object literal returned by `functionName` unless `name` is there. */
  ensureReturnedProperty(functionName: string, name: string, initializer: string): void {
    const literal = this.#returnedLiteral(functionName, name);
    if (literal.getProperty(name) !== undefined) return;
    literal.addPropertyAssignment({ name, initializer });
    literal.formatText({ indentSize: 2, convertTabsToSpaces: true });
    this.#changed = true;
  }

  /** Adds `...expression` to the object literal returned by `functionName` unless it is there. */
  ensureReturnedSpread(functionName: string, expression: string): void {
    const literal = this.#returnedLiteral(functionName, `...${expression}`);
    if (literal.getProperties().some((p) => squash(p.getText()) === squash(`...${expression}`))) return;
    literal.addSpreadAssignment({ expression });
    literal.formatText({ indentSize: 2, convertTabsToSpaces: true });
    this.#changed = true;
  }

  save(): void {
    if (this.#changed) this.#file.saveSync();
  }

  #returnedLiteral(functionName: string, what: string): ObjectLiteralExpression {
    const ret = this.#function(functionName).getStatements().find(Node.isReturnStatement);
    const literal = ret?.getExpression()?.asKind(SyntaxKind.ObjectLiteralExpression);
    if (literal === undefined) {
      throw new CliError(`${this.#path}: function ${functionName} must end with "return { … };" so rony-ts can add ${what}; nothing was changed`);
    }
    return literal;
  }

  #function(name: string): FunctionDeclaration {
    const fn = this.#file.getFunction(name);
    if (fn === undefined || fn.getBody() === undefined) {
      throw new CliError(`${this.#path} has no function ${name}(); rony-ts registers new pieces there. Restore it (see the project template) and retry; nothing was changed`);
    }
    return fn;
  }
}
