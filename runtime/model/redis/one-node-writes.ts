// Writes on one server: every key is on one node, so a write, claims included, is one atomic
// script and a conflict writes nothing.
import type { KeyValue } from "../values.js";
import type { RedisEntry as Entry } from "../descriptor.js";
import type { ModelLayout } from "./layout.js";
import { noScript, type RedisTarget } from "./redis-target.js";
import { DELETE, ONE_NODE_INSERT_MANY, ONE_NODE_WRITE, oneNodeInsert } from "./scripts.js";
import { writeFailed, type Mode, type Writes } from "./writes.js";

export class OneNodeWrites<T> implements Writes {
  /** The insert script of this model's shape. */
  readonly #insert: string;
  /** #claims and #zsets as the other scripts read them, the same for every record of the model. */
  readonly #claims: string;
  readonly #zsets: string;

  constructor(
    private readonly layout: ModelLayout<T>,
    private readonly target: RedisTarget,
  ) {
    this.#insert = oneNodeInsert(layout.claims, layout.zsets);
    this.#claims = String(layout.claims);
    this.#zsets = String(layout.zsets);
  }

  // One promise step after the client's: the reply check, the typed failure and the EVAL
  // fallback for a server that lost its script cache (straight to EVAL: EVALSHA just failed) all happen there.
  write(mode: Mode, e: Entry): Promise<void> {
    const claim = `${e.rec}\n${Date.now()}`;
    const script = mode === "insert" ? this.#insert : ONE_NODE_WRITE;
    const args = mode === "insert" ? [e.body, e.member, e.held, e.tag, claim] : [mode, this.#claims, this.#zsets, e.body, e.member, e.held, e.tag, claim];
    return this.target.evalsha(script, e.keys, args).then(this.#check, (error: unknown) => {
      if (!noScript(error)) return this.#fail(error);
      return this.target.evalSource(script, e.keys, args).then(this.#check, this.#fail);
    });
  }

  async insertMany(entries: readonly Entry[]): Promise<void> {
    const keys: string[] = [];
    const args: (string | number | Buffer)[] = [];
    const now = Date.now();
    for (const e of entries) {
      keys.push(...e.keys);
      args.push(this.#claims, this.#zsets, this.layout.dirs, e.body, e.member, e.held, e.tag, `${e.rec}\n${now}`);
    }
    this.#check(await this.target.eval(ONE_NODE_INSERT_MANY, keys, args));
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const { rec, part, member } = this.layout.locate(key);
    const reply = (await this.target.eval(DELETE, [rec, part], [member, "one-node"])) as string[];
    return reply[0] === "ok";
  }

  readonly #fail = (error: unknown): never => {
    throw this.target.fail(error, this.layout.model.name);
  };

  readonly #check = (result: unknown): void => {
    const reply = String(result);
    if (reply === "ok") return;
    const colon = reply.indexOf(":");
    throw writeFailed(this.layout.model.name, colon < 0 ? reply : reply.slice(0, colon), colon < 0 ? "" : reply.slice(colon + 1));
  };
}
