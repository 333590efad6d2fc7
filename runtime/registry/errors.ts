/** What went wrong with the registry; a closed set, so callers switch on `code`, never on text. */
export type RegistryErrorCode =
  /** An entry that is not a node announcement (bad JSON, a missing or ill-typed field). */
  | "MALFORMED_ENTRY"
  /** An entry without a valid signature while a cluster secret is configured. */
  | "FORGED_ENTRY"
  /** Two replica sets claim one slot at the same epoch; the slot's previous owner is kept. */
  | "CONFLICTING_SLOTS"
  /** The engine (Redis) cannot be reached; the last view is kept. */
  | "UNAVAILABLE";

export class RegistryError extends Error {
  override readonly name = "RegistryError";

  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    /** The node id or key the error is about, "" when none. */
    readonly subject = "",
  ) {
    super(`${code}: ${message}`);
  }

  static is(value: unknown, code?: RegistryErrorCode): value is RegistryError {
    return value instanceof RegistryError && (code === undefined || value.code === code);
  }
}
