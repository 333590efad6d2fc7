// Validation problems, reported as `file.proto:line: element: option: message`.

export interface Diagnostic {
  /** Proto file path as the compiler sees it ("examples/echo.proto"). */
  readonly file: string;
  /** 1-based line, or 0 when the file has no source info. */
  readonly line: number;
  /** The element at fault ("service examples.Echo", "rpc examples.Echo.Say", "message examples.User"). */
  readonly element: string;
  /** The option at fault ("(rony.rpc).http.path"), or "" when none. */
  readonly option: string;
  readonly message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}` : d.file;
  const option = d.option === "" ? "" : ` ${d.option}:`;
  return `${where}: ${d.element}:${option} ${d.message}`;
}

/** Thrown by the compiler when the schema is invalid; the bin prints `message` alone, no stack. */
export class GenerationError extends Error {
  override readonly name = "GenerationError";

  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
  }
}

/** A plugin parameter problem: names the parameter and what is allowed. */
export class ParameterError extends Error {
  override readonly name = "ParameterError";
}
