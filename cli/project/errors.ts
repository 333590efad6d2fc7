/** A refusal the user can act on: printed without a stack, exit code 2. */
export class CliError extends Error {
  override readonly name = "CliError";

  constructor(message: string, readonly exitCode = 2) {
    super(message);
  }
}
