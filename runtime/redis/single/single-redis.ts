import type { Redis } from "ioredis";
import { addressOf, closeClient, connectClient, createClient, type ClientTuning, type RedisAddress } from "../connections/clients.js";
import { hashTagOf } from "../hashing/hash-tag.js";
import type { CommandTarget, KeyRouter } from "../key-value/key-router.js";
import { RoutedConnection } from "../key-value/routed-connection.js";

export interface SingleRedisConfig extends ClientTuning {
  name: string;
  address: RedisAddress;
  /**
   * Hold multi-key commands to the rule that works on every kind (all keys share a
   * `{hash tag}`), so code tested on one server keeps working sharded. Default true.
   */
  portableKeys?: boolean;
}

class SingleRouter implements KeyRouter {
  private readonly address: string;
  private readonly all: readonly { address: string; target: CommandTarget }[];

  constructor(
    readonly client: Redis,
    address: RedisAddress,
    private readonly portable: boolean,
  ) {
    this.address = addressOf(address);
    this.all = [{ address: this.address, target: client }];
  }

  unitOf(key: string): string {
    return this.portable ? hashTagOf(key) : "";
  }

  ownerOfUnit(): string {
    return this.address;
  }

  targetOfUnit(): CommandTarget {
    return this.client;
  }

  targetOf(): CommandTarget {
    return this.client;
  }

  nodes() {
    return this.all;
  }

  quit(): Promise<void> {
    return closeClient(this.client);
  }
}

/** The `redis` kind: one server behind the KeyValueConnection surface. */
export class SingleRedis extends RoutedConnection {
  /** The ioredis client, for anything outside the key/value surface. */
  readonly client: Redis;

  private constructor(name: string, router: SingleRouter) {
    super(name, "redis", router);
    this.client = router.client;
  }

  static async connect(config: SingleRedisConfig): Promise<SingleRedis> {
    const client = createClient(config.address, config);
    await connectClient(client, config.name, config.address);
    return new SingleRedis(config.name, new SingleRouter(client, config.address, config.portableKeys ?? true));
  }
}
