import { CrossShardError, NoRoutingKeyError, toRuntimeError } from "../errors.js";
import { commandKeys, type CommandArg } from "./command-keys.js";
import type { KeyRouter } from "./key-router.js";
import type { KeyValueBatch, KeyValueConnection, KeyValueKind, SetOptions } from "./key-value-connection.js";
import { RoutedBatch } from "./routed-batch.js";
import { setFlags } from "./set-flags.js";
import { evalScript } from "./scripts.js";

/**
 * KeyValueConnection written once over a KeyRouter: the single server, the shards and the
 * cluster differ only in their router.
 */
export class RoutedConnection implements KeyValueConnection {
  constructor(
    readonly name: string,
    readonly kind: KeyValueKind,
    protected readonly router: KeyRouter,
  ) {}

  get(key: string): Promise<string | null> {
    return this.one("get", key) as Promise<string | null>;
  }

  getBuffer(key: string): Promise<Buffer | null> {
    return this.sendOne(key, () => this.router.targetOf(key).callBuffer("get", key)) as Promise<Buffer | null>;
  }

  set(key: string, value: CommandArg, options: SetOptions = {}): Promise<boolean> {
    return this.sendOne(key, () => this.router.targetOf(key).call("set", key, value, ...setFlags(options)), isOk) as Promise<boolean>;
  }

  del(...keys: string[]): Promise<number> {
    return this.many("del", keys, keys) as Promise<number>;
  }

  exists(...keys: string[]): Promise<number> {
    return this.many("exists", keys, keys) as Promise<number>;
  }

  expire(key: string, ttlMs: number): Promise<boolean> {
    return this.sendOne(key, () => this.router.targetOf(key).call("pexpire", key, ttlMs), isOne) as Promise<boolean>;
  }

  incrBy(key: string, by: number): Promise<number> {
    return this.one("incrby", key, by) as Promise<number>;
  }

  hget(key: string, field: string): Promise<string | null> {
    return this.one("hget", key, field) as Promise<string | null>;
  }

  hmget(key: string, fields: readonly string[]): Promise<(string | null)[]> {
    return this.one("hmget", key, ...fields) as Promise<(string | null)[]>;
  }

  hset(key: string, fields: Readonly<Record<string, CommandArg>>): Promise<number> {
    return this.one("hset", key, ...Object.entries(fields).flat()) as Promise<number>;
  }

  hgetall(key: string): Promise<Record<string, string>> {
    return this.one("hgetall", key) as Promise<Record<string, string>>;
  }

  hdel(key: string, ...fields: string[]): Promise<number> {
    return this.one("hdel", key, ...fields) as Promise<number>;
  }

  hincrBy(key: string, field: string, by: number): Promise<number> {
    return this.one("hincrby", key, field, by) as Promise<number>;
  }

  sadd(key: string, ...members: CommandArg[]): Promise<number> {
    return this.one("sadd", key, ...members) as Promise<number>;
  }

  srem(key: string, ...members: CommandArg[]): Promise<number> {
    return this.one("srem", key, ...members) as Promise<number>;
  }

  smembers(key: string): Promise<string[]> {
    return this.one("smembers", key) as Promise<string[]>;
  }

  sismember(key: string, member: CommandArg): Promise<boolean> {
    return this.sendOne(key, () => this.router.targetOf(key).call("sismember", key, member), isOne) as Promise<boolean>;
  }

  zadd(key: string, score: number, member: CommandArg): Promise<number> {
    return this.one("zadd", key, score, member) as Promise<number>;
  }

  zrem(key: string, ...members: CommandArg[]): Promise<number> {
    return this.one("zrem", key, ...members) as Promise<number>;
  }

  zrangeByScore(
    key: string,
    min: number | "-inf",
    max: number | "+inf",
    limit?: { offset: number; count: number },
  ): Promise<string[]> {
    const page = limit ? ["LIMIT", limit.offset, limit.count] : [];
    return this.one("zrangebyscore", key, min, max, ...page) as Promise<string[]>;
  }

  async eval(script: string, keys: readonly string[], args: readonly CommandArg[] = []): Promise<unknown> {
    if (keys.length === 0) throw new NoRoutingKeyError("EVAL without keys");
    this.assertColocated(keys);
    return this.sendMany(keys, () => evalScript(this.router.targetOf(keys[0]!), script, keys, args));
  }

  async call(command: string, ...args: CommandArg[]): Promise<unknown> {
    const keys = commandKeys(command, args);
    if (keys === null || keys.length === 0) throw new NoRoutingKeyError(command.toUpperCase());
    if (keys.length > 1) this.assertColocated(keys);
    return this.sendMany(keys, () => this.router.targetOf(keys[0]!).call(command.toLowerCase(), ...args));
  }

  async callBuffer(command: string, ...args: CommandArg[]): Promise<unknown> {
    const keys = commandKeys(command, args);
    if (keys === null || keys.length === 0) throw new NoRoutingKeyError(command.toUpperCase());
    if (keys.length > 1) this.assertColocated(keys);
    return this.sendMany(keys, () => this.router.targetOf(keys[0]!).callBuffer(command.toLowerCase(), ...args));
  }

  pipeline(): KeyValueBatch {
    return new RoutedBatch(this.name, this.router, false);
  }

  multi(): KeyValueBatch {
    return new RoutedBatch(this.name, this.router, true);
  }

  ownerOf(key: string): string {
    return this.router.ownerOfUnit(this.router.unitOf(key));
  }

  async *scanKeys(match: string, count = 500): AsyncIterable<string> {
    for (const node of this.router.nodes()) {
      let cursor = "0";
      do {
        const reply = (await this.guardAddress(
          node.address,
          node.target.call("scan", cursor, "MATCH", match, "COUNT", count),
        )) as [string, string[]];
        cursor = reply[0];
        yield* reply[1];
      } while (cursor !== "0");
    }
  }

  quit(): Promise<void> {
    return this.router.quit();
  }

  /** Fails before sending when keys span units. */
  protected assertColocated(keys: readonly string[]): void {
    const first = this.router.unitOf(keys[0]!);
    for (let i = 1; i < keys.length; i++) {
      if (this.router.unitOf(keys[i]!) !== first) {
        throw new CrossShardError(keys, keys.map((k) => this.ownerOf(k)));
      }
    }
  }

  private one(command: string, key: string, ...rest: CommandArg[]): Promise<unknown> {
    return this.sendOne(key, () => this.router.targetOf(key).call(command, key, ...rest));
  }

  private many(command: string, keys: readonly string[], args: readonly CommandArg[]): Promise<unknown> {
    if (keys.length === 0) return Promise.resolve(0);
    try {
      this.assertColocated(keys);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.sendMany(keys, () => this.router.targetOf(keys[0]!).call(command, ...args));
  }

  /**
   * Sends at once, unless the key must first settle (move between shards during a rebalance).
   * `map` turns the reply into the result in the same promise step that types the errors.
   */
  private sendOne(key: string, send: () => Promise<unknown>, map?: (reply: unknown) => unknown): Promise<unknown> {
    const settling = this.router.settleKey?.(key);
    return this.guard(key, settling ? settling.then(send) : send(), map);
  }

  private sendMany(keys: readonly string[], send: () => Promise<unknown>): Promise<unknown> {
    if (this.router.settleKey === undefined) return this.guard(keys[0]!, send());
    const settling = keys.map((k) => this.router.settleKey!(k)).filter((p) => p !== undefined);
    return this.guard(keys[0]!, settling.length === 0 ? send() : Promise.all(settling).then(send));
  }

  private guard(key: string, reply: Promise<unknown>, map?: (reply: unknown) => unknown): Promise<unknown> {
    return reply.then(map, (error: unknown) => {
      throw toRuntimeError(error, this.name, this.ownerOf(key));
    });
  }

  private guardAddress(address: string, reply: Promise<unknown>): Promise<unknown> {
    return reply.catch((error: unknown) => {
      throw toRuntimeError(error, this.name, address);
    });
  }
}

// Reply → result for the boolean commands, applied in the step that types errors (no second hop).
const isOk = (reply: unknown): boolean => reply === "OK";
const isOne = (reply: unknown): boolean => reply === 1;
