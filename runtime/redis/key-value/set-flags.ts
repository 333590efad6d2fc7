import type { CommandArg } from "./command-keys.js";
import type { SetOptions } from "./key-value-connection.js";

/** SET's optional arguments for SetOptions. */
export function setFlags(options: SetOptions): CommandArg[] {
  const flags: CommandArg[] = [];
  if (options.ttlMs !== undefined) flags.push("PX", options.ttlMs);
  if (options.onlyIfAbsent) flags.push("NX");
  return flags;
}
