// EVALSHA with a fallback to EVAL when the server has not cached the script (a fresh or
// restarted server): one round trip in the common case.
import { createHash } from "node:crypto";
import { replyCode } from "../../redis/errors.js";
import type { CommandTarget } from "../../redis/key-value/key-router.js";

type Arg = string | Buffer | number;

export class ScriptRunner {
  readonly #shas = new Map<string, string>();

  constructor(private readonly target: CommandTarget) {}

  run(script: string, keys: readonly string[], args: readonly Arg[]): Promise<unknown> {
    let sha = this.#shas.get(script);
    if (sha === undefined) this.#shas.set(script, (sha = createHash("sha1").update(script).digest("hex")));
    return this.target.call("evalsha", sha, keys.length, ...keys, ...args).catch((error: unknown) => {
      if (replyCode(error) !== "NOSCRIPT") throw error;
      return this.target.call("eval", script, keys.length, ...keys, ...args);
    });
  }
}
