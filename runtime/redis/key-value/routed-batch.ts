import { CrossShardError, NoRoutingKeyError, toRuntimeError } from "../errors.js";
import { commandKeys, type CommandArg } from "./command-keys.js";
import type { KeyRouter } from "./key-router.js";
import type { BatchResult, KeyValueBatch, SetOptions } from "./key-value-connection.js";

interface Queued {
  command: string;
  args: CommandArg[];
  key: string;
}

/**
 * A pipeline (one round trip per owner, in parallel) or a MULTI/EXEC transaction (one unit
 * only). Routing is checked while commands are queued, so a cross-shard batch fails before
 * anything is sent.
 */
export class RoutedBatch implements KeyValueBatch {
  private readonly queued: Queued[] = [];
  private unit: string | number | undefined;

  constructor(
    private readonly connection: string,
    private readonly router: KeyRouter,
    private readonly atomic: boolean,
  ) {}

  get length(): number {
    return this.queued.length;
  }

  call(command: string, ...args: CommandArg[]): this {
    const keys = commandKeys(command, args);
    if (keys === null || keys.length === 0) throw new NoRoutingKeyError(command.toUpperCase());
    const unit = this.router.unitOf(keys[0]!);
    for (const key of keys) {
      if (this.router.unitOf(key) !== unit) throw this.crossShard(keys);
    }
    if (this.atomic) {
      if (this.unit !== undefined && this.unit !== unit) {
        throw this.crossShard([this.queued[0]!.key, keys[0]!]);
      }
      this.unit = unit;
    }
    this.queued.push({ command: command.toLowerCase(), args, key: keys[0]! });
    return this;
  }

  get(key: string): this {
    return this.call("get", key);
  }

  set(key: string, value: CommandArg, options: SetOptions = {}): this {
    const flags: CommandArg[] = [];
    if (options.ttlMs !== undefined) flags.push("PX", options.ttlMs);
    if (options.onlyIfAbsent) flags.push("NX");
    return this.call("set", key, value, ...flags);
  }

  del(...keys: string[]): this {
    return this.call("del", ...keys);
  }

  incrBy(key: string, by: number): this {
    return this.call("incrby", key, by);
  }

  hset(key: string, fields: Readonly<Record<string, CommandArg>>): this {
    return this.call("hset", key, ...Object.entries(fields).flat());
  }

  hgetall(key: string): this {
    return this.call("hgetall", key);
  }

  hdel(key: string, ...fields: string[]): this {
    return this.call("hdel", key, ...fields);
  }

  sadd(key: string, ...members: CommandArg[]): this {
    return this.call("sadd", key, ...members);
  }

  srem(key: string, ...members: CommandArg[]): this {
    return this.call("srem", key, ...members);
  }

  eval(script: string, keys: readonly string[], args: readonly CommandArg[] = []): this {
    return this.call("eval", script, keys.length, ...keys, ...args);
  }

  async exec(): Promise<BatchResult[]> {
    if (this.queued.length === 0) return [];
    if (this.atomic) return this.send(this.queued, true);
    const groups = new Map<string, number[]>();
    this.queued.forEach((q, i) => {
      const owner = this.router.ownerOf(q.key);
      const group = groups.get(owner);
      if (group) group.push(i);
      else groups.set(owner, [i]);
    });
    const results: BatchResult[] = new Array(this.queued.length);
    await Promise.all(
      [...groups.values()].map(async (indexes) => {
        const replies = await this.send(indexes.map((i) => this.queued[i]!), false);
        indexes.forEach((at, j) => (results[at] = replies[j]!));
      }),
    );
    return results;
  }

  private async send(commands: Queued[], atomic: boolean): Promise<BatchResult[]> {
    const first = commands[0]!.key;
    const target = this.router.targetOf(first);
    const raw = commands.map((q) => [q.command, ...q.args]);
    const address = this.router.ownerOf(first);
    let replies: [Error | null, unknown][] | null;
    try {
      replies = await (atomic ? target.multi(raw) : target.pipeline(raw)).exec();
    } catch (error) {
      throw toRuntimeError(error, this.connection, address);
    }
    if (replies === null) throw toRuntimeError(new Error("transaction aborted"), this.connection, address);
    return replies.map(([error, reply]) => [
      error === null ? null : toRuntimeError(error, this.connection, address),
      reply,
    ]);
  }

  private crossShard(keys: readonly string[]): CrossShardError {
    return new CrossShardError(keys, keys.map((k) => this.router.ownerOf(k)));
  }
}
