import type { Redis } from "ioredis";
import { addressOf, closeClient, connectAll, createClient, type ClientTuning } from "../connections/clients.js";
import { ConfigError } from "../errors.js";
import type { CommandArg } from "../key-value/command-keys.js";
import { RoutedConnection } from "../key-value/routed-connection.js";
import { rebalance, type RebalanceOptions, type RebalanceReport } from "./rebalance.js";
import { ShardRouter, shardOfNode, type Shard, type ShardNode } from "./shard-router.js";

export interface ShardedRedisConfig extends ClientTuning {
  name: string;
  /** Independent servers; a key's owner is chosen by ketama over their `host:port` names. */
  nodes: ShardNode[];
}

/**
 * The `redis_sharded` kind: client-side sharding over independent servers. Single-key commands
 * go to the key's owner; multi-key commands, scripts and transactions must keep their keys on
 * one owner (share a `{hash tag}`) or fail with CrossShardError; pipelines are split per owner.
 */
export class ShardedRedis extends RoutedConnection {
  private readonly shards: ShardRouter;

  private constructor(
    name: string,
    router: ShardRouter,
    private readonly tuning: ClientTuning,
  ) {
    super(name, "redis_sharded", router);
    this.shards = router;
  }

  static async connect(config: ShardedRedisConfig): Promise<ShardedRedis> {
    validateNodes(config.name, config.nodes);
    const shards = config.nodes.map((node) => shardOfNode(node, createClient(node, config)));
    await connectAll(shards.map((s) => ({ client: s.client, address: s.node })), config.name);
    return new ShardedRedis(config.name, new ShardRouter(config.name, shards), config);
  }

  /** `host:port` of every node, in config order. */
  get addresses(): string[] {
    return this.shards.all.map((s) => s.address);
  }

  /** The ioredis client of the node that owns `key`. */
  nodeFor(key: string): Redis {
    return this.shards.shardOf(key).client;
  }

  /** Any command, sent to the owner of its keys (alias of `call`). */
  forward(command: string, ...args: CommandArg[]): Promise<unknown> {
    return this.call(command, ...args);
  }

  /** Runs `fn` on every node in parallel (keyless commands: INFO, DBSIZE, FLUSHDB …). */
  forEachNode<T>(fn: (client: Redis, address: string) => Promise<T>): Promise<T[]> {
    return Promise.all(this.shards.all.map((s) => fn(s.client, s.address)));
  }

  /**
   * Adds a node: new commands route by the new ring at once, then (unless `rebalance: false`)
   * the keys whose owner changed — about 1/(n+1) of them — are moved onto it.
   */
  async addNode(node: ShardNode, options: RebalanceOptions & { rebalance?: boolean } = {}): Promise<RebalanceReport> {
    this.assertSettled();
    validateNodes(this.name, [...this.shards.all.map((s) => s.node), node]);
    const shard = shardOfNode(node, createClient(node, this.tuning));
    await connectAll([{ client: shard.client, address: node }], this.name);
    const holders = this.shards.all;
    this.switchRing([...holders, shard], options);
    if (options.rebalance === false) return { scanned: 0, moved: 0, keptNewer: 0 };
    return this.rebalance(holders, options);
  }

  /** Removes a node: its keys move to their new owners, then its client is closed. */
  async removeNode(address: string, options: RebalanceOptions = {}): Promise<RebalanceReport> {
    this.assertSettled();
    const leaving = this.shards.all.find((s) => s.address === address);
    if (!leaving) throw new ConfigError(this.name, "removeNode()", `got ${address}, which is not one of its nodes`);
    if (this.shards.all.length === 1) throw new ConfigError(this.name, "removeNode()", "cannot remove the last node");
    this.switchRing(this.shards.all.filter((s) => s !== leaving), options);
    const report = await this.rebalance([leaving], options);
    await closeClient(leaving.client);
    return report;
  }

  /**
   * Moves keys held by `holders` (default: every node, old and new) to their owner under the
   * current ring. Run again after an interrupted rebalance; it only moves what is still misplaced.
   */
  async rebalance(holders?: readonly Shard[], options: RebalanceOptions = {}): Promise<RebalanceReport> {
    const migration = this.shards.migration;
    holders ??= [...new Set([...(migration?.shards ?? []), ...this.shards.all])];
    const report = await rebalance(this.name, holders, this.shards.ring, this.owners(), options);
    // Everything is in place: commands stop checking the old owners. (A failed rebalance keeps
    // checking, so it can simply be run again.)
    if (this.shards.migration === migration) this.shards.migration = undefined;
    return report;
  }

  /** Whether keys may still sit on their owner under the previous ring (until a rebalance completes). */
  get rebalancing(): boolean {
    return this.shards.migration !== undefined;
  }

  /** Routes by the new ring at once; until the rebalance completes, a key is moved on first use. */
  private switchRing(shards: Shard[], options: RebalanceOptions): void {
    const previous = this.shards.all;
    const ring = this.shards.replace(shards);
    this.shards.migration = { ring, shards: previous, moved: new Set(), timeoutMs: options.timeoutMs ?? 5_000 };
  }

  private assertSettled(): void {
    if (this.shards.migration !== undefined) {
      throw new ConfigError(this.name, "nodes", "cannot change while a rebalance is pending; run rebalance() first");
    }
  }

  private owners(): Map<string, Shard> {
    return new Map(this.shards.all.map((s) => [s.address, s]));
  }
}

function validateNodes(name: string, nodes: readonly ShardNode[]): void {
  if (nodes.length === 0) throw new ConfigError(name, "nodes", "must list at least one server");
  const seen = new Set<string>();
  for (const node of nodes) {
    const address = addressOf(node);
    if (seen.has(address)) throw new ConfigError(name, "nodes", `lists ${address} twice`);
    seen.add(address);
    if (node.weight !== undefined && !(node.weight > 0)) throw new ConfigError(name, "nodes", `weight of ${address} must be > 0`);
  }
}
