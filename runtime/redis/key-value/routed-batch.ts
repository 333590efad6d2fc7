import { CrossShardError, NoRoutingKeyError, toRuntimeError } from "../errors.js";
import { commandKeys, type CommandArg } from "./command-keys.js";
import type { KeyRouter } from "./key-router.js";
import type { BatchResult, KeyValueBatch, SetOptions } from "./key-value-connection.js";
import { setFlags } from "./set-flags.js";

interface Queued {
  /** `[command, ...args]`, as ioredis' pipeline() takes it. */
  line: CommandArg[];
  key: string;
  /** Every key of the command when it has more than one. */
  more?: readonly string[];
  unit: string | number;
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
    return this.queue(command, command.toLowerCase(), args);
  }

  /** ioredis names a command's Buffer variant `<command>Buffer` (hgetBuffer). */
  callBuffer(command: string, ...args: CommandArg[]): this {
    return this.queue(command, `${command.toLowerCase()}Buffer`, args);
  }

  private queue(command: string, name: string, args: CommandArg[]): this {
    const keys = commandKeys(command, args);
    if (keys === null || keys.length === 0) throw new NoRoutingKeyError(command.toUpperCase());
    const unit = this.router.unitOf(keys[0]!);
    for (let i = 1; i < keys.length; i++) {
      if (this.router.unitOf(keys[i]!) !== unit) throw this.crossShard(keys);
    }
    if (this.atomic) {
      if (this.unit !== undefined && this.unit !== unit) {
        throw this.crossShard([this.queued[0]!.key, keys[0]!]);
      }
      this.unit = unit;
    }
    this.queued.push({ line: [name, ...args], key: keys[0]!, more: keys.length > 1 ? keys : undefined, unit });
    return this;
  }

  get(key: string): this {
    return this.one(key, ["get", key]);
  }

  set(key: string, value: CommandArg, options: SetOptions = {}): this {
    return this.one(key, options.ttlMs === undefined && !options.onlyIfAbsent ? ["set", key, value] : ["set", key, value, ...setFlags(options)]);
  }

  del(...keys: string[]): this {
    return this.call("del", ...keys);
  }

  incrBy(key: string, by: number): this {
    return this.one(key, ["incrby", key, by]);
  }

  hset(key: string, fields: Readonly<Record<string, CommandArg>>): this {
    return this.one(key, ["hset", key, ...Object.entries(fields).flat()]);
  }

  hgetall(key: string): this {
    return this.one(key, ["hgetall", key]);
  }

  hdel(key: string, ...fields: string[]): this {
    return this.one(key, ["hdel", key, ...fields]);
  }

  sadd(key: string, ...members: CommandArg[]): this {
    return this.one(key, ["sadd", key, ...members]);
  }

  srem(key: string, ...members: CommandArg[]): this {
    return this.one(key, ["srem", key, ...members]);
  }

  eval(script: string, keys: readonly string[], args: readonly CommandArg[] = []): this {
    return this.call("eval", script, keys.length, ...keys, ...args);
  }

  /** A command whose only key is `key` (typed helpers): no key extraction needed. */
  private one(key: string, line: CommandArg[]): this {
    const unit = this.router.unitOf(key);
    if (this.atomic) {
      if (this.unit !== undefined && this.unit !== unit) throw this.crossShard([this.queued[0]!.key, key]);
      this.unit = unit;
    }
    this.queued.push({ line, key, unit });
    return this;
  }

  async exec(): Promise<BatchResult[]> {
    if (this.queued.length === 0) return [];
    await this.settle();
    if (this.atomic) return this.send(this.queued, true);
    const groups = new Map<string, number[]>();
    this.queued.forEach((q, i) => {
      const owner = this.router.ownerOfUnit(q.unit);
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
    const unit = commands[0]!.unit;
    const target = this.router.targetOfUnit(unit);
    const raw = commands.map((q) => q.line);
    const address = this.router.ownerOfUnit(unit);
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

  /** Keys moving between shards (during a rebalance) move before the batch is sent. */
  private async settle(): Promise<void> {
    if (this.router.settleKey === undefined) return;
    const settling: Promise<void>[] = [];
    for (const q of this.queued) {
      for (const key of q.more ?? [q.key]) {
        const p = this.router.settleKey(key);
        if (p) settling.push(p);
      }
    }
    if (settling.length > 0) {
      try {
        await Promise.all(settling);
      } catch (error) {
        throw toRuntimeError(error, this.connection, this.router.ownerOfUnit(this.queued[0]!.unit));
      }
    }
  }

  private crossShard(keys: readonly string[]): CrossShardError {
    return new CrossShardError(keys, keys.map((k) => this.router.ownerOfUnit(this.router.unitOf(k))));
  }
}
