import type { Redis } from "ioredis";
import { addressOf, closeClient, type RedisAddress } from "../connections/clients.js";
import { KetamaRing } from "../hashing/ketama-ring.js";
import type { CommandTarget, KeyRouter } from "../key-value/key-router.js";
import { moveKey } from "./rebalance.js";

export interface ShardNode extends RedisAddress {
  /** Relative share of keys; default 1. */
  weight?: number;
}

export interface Shard {
  readonly address: string;
  readonly node: ShardNode;
  readonly client: Redis;
}

/** Where keys lived before the ring changed, until the rebalance that follows it completes. */
export interface Migration {
  readonly ring: KetamaRing;
  readonly shards: readonly Shard[];
  /** Keys already moved on demand (no need to ask the old owner again). */
  readonly moved: Set<string>;
  readonly timeoutMs: number;
}

/** Routes by the ketama ring over `host:port` names; the ring can be swapped when nodes change. */
export class ShardRouter implements KeyRouter {
  ring: KetamaRing;
  migration: Migration | undefined;
  private shards: Shard[];

  constructor(
    private readonly connection: string,
    shards: Shard[],
  ) {
    this.shards = shards;
    this.ring = ringOf(shards);
  }

  /**
   * While a rebalance is under way, a key whose owner changed is moved before any command
   * touches it, so a write never lands beside a stale copy (an INCR would otherwise start
   * from 0 and a DEL would let the old copy come back).
   */
  settleKey(key: string): Promise<void> | undefined {
    const migration = this.migration;
    if (migration === undefined || migration.moved.has(key)) return undefined;
    const from = migration.shards[migration.ring.indexOf(key)]!;
    const to = this.shardOf(key);
    if (from.address === to.address) return undefined;
    return moveKey(this.connection, from, to, key, migration.timeoutMs).then(() => {
      migration.moved.add(key);
    });
  }

  get all(): readonly Shard[] {
    return this.shards;
  }

  /** Replaces the shard list and its ring; returns the previous ring. */
  replace(shards: Shard[]): KetamaRing {
    const previous = this.ring;
    this.shards = shards;
    this.ring = ringOf(shards);
    return previous;
  }

  shardOf(key: string): Shard {
    return this.shards[this.ring.indexOf(key)]!;
  }

  unitOf(key: string): number {
    return this.ring.indexOf(key);
  }

  ownerOfUnit(unit: number): string {
    return this.shards[unit]!.address;
  }

  targetOfUnit(unit: number): CommandTarget {
    return this.shards[unit]!.client;
  }

  targetOf(key: string): CommandTarget {
    return this.shards[this.ring.indexOf(key)]!.client;
  }

  nodes(): readonly { address: string; target: CommandTarget }[] {
    return this.shards.map((s) => ({ address: s.address, target: s.client }));
  }

  async quit(): Promise<void> {
    await Promise.all(this.shards.map((s) => closeClient(s.client)));
  }
}

function ringOf(shards: readonly Shard[]): KetamaRing {
  return new KetamaRing(shards.map((s) => ({ id: s.address, weight: s.node.weight })));
}

export function shardOfNode(node: ShardNode, client: Redis): Shard {
  return { address: addressOf(node), node, client };
}
