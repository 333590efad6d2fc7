import { createHash } from "node:crypto";
import { replyCode } from "../errors.js";
import type { CommandArg } from "./command-keys.js";
import type { CommandTarget } from "./key-router.js";

const shas = new Map<string, string>();

function sha1(script: string): string {
  let sha = shas.get(script);
  if (sha === undefined) {
    sha = createHash("sha1").update(script).digest("hex");
    shas.set(script, sha);
  }
  return sha;
}

/** EVALSHA, falling back to EVAL once when the server has not cached the script yet. */
export async function evalScript(
  target: CommandTarget,
  script: string,
  keys: readonly string[],
  args: readonly CommandArg[],
): Promise<unknown> {
  try {
    return await target.call("evalsha", sha1(script), keys.length, ...keys, ...args);
  } catch (error) {
    if (replyCode(error) !== "NOSCRIPT") throw error;
    return target.call("eval", script, keys.length, ...keys, ...args);
  }
}
