// Writes on one server: every key is on one node, so a write, claims included, is one atomic
// script and a conflict writes nothing.
import type { KeyValue } from "../values.js";
import type { Entry, ModelLayout } from "./layout.js";
import type { RedisTarget } from "./redis-target.js";
import { DELETE, ONE_NODE_INSERT_MANY, ONE_NODE_WRITE } from "./scripts.js";
import { writeFailed, type Mode, type Writes } from "./writes.js";

export class OneNodeWrites<T> implements Writes {
  constructor(
    private readonly layout: ModelLayout<T>,
    private readonly target: RedisTarget,
  ) {}

  async write(mode: Mode, e: Entry): Promise<void> {
    const keys = [e.rec, e.part, ...e.claims, ...e.zsets, ...e.dirs];
    const args = [mode, e.claims.length, e.zsets.length, e.body, e.member, e.held, e.tag, `${e.rec}\n${Date.now()}`];
    this.#check(String(await this.target.eval(ONE_NODE_WRITE, keys, args)));
  }

  async insertMany(entries: readonly Entry[]): Promise<void> {
    const keys: string[] = [];
    const args: (string | number | Buffer)[] = [];
    const now = Date.now();
    for (const e of entries) {
      keys.push(e.rec, e.part, ...e.claims, ...e.zsets, ...e.dirs);
      args.push(e.claims.length, e.zsets.length, e.dirs.length, e.body, e.member, e.held, e.tag, `${e.rec}\n${now}`);
    }
    this.#check(String(await this.target.eval(ONE_NODE_INSERT_MANY, keys, args)));
  }

  async delete(key: readonly KeyValue[]): Promise<boolean> {
    const [rec, part] = this.layout.keys.recordAndPartition(key, this.layout.plan.partition.length);
    const reply = (await this.target.eval(DELETE, [rec, part], [this.layout.member(key, rec), "one-node"])) as string[];
    return reply[0] === "ok";
  }

  #check(reply: string): void {
    if (reply === "ok") return;
    const colon = reply.indexOf(":");
    throw writeFailed(this.layout.model.name, colon < 0 ? reply : reply.slice(0, colon), colon < 0 ? "" : reply.slice(colon + 1));
  }
}
