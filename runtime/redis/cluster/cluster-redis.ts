import { Cluster, type ClusterOptions } from "ioredis";
import { addressOf, type ClientTuning, type RedisAddress } from "../connections/clients.js";
import { ConfigError, ConnectionError } from "../errors.js";
import { clusterSlot } from "../hashing/cluster-slot.js";
import type { CommandTarget, KeyRouter } from "../key-value/key-router.js";
import { RoutedConnection } from "../key-value/routed-connection.js";

export interface ClusterRedisConfig extends ClientTuning {
  name: string;
  /** Some nodes of the cluster; the client learns the rest from CLUSTER SLOTS. */
  startupNodes: RedisAddress[];
  /** Extra ioredis Cluster options (scaleReads, natMap …). */
  clusterOptions?: ClusterOptions;
}

/**
 * Keys share a unit when they share a slot (Redis Cluster's own rule for multi-key commands
 * and MULTI); MOVED/ASK redirects and slot-map refreshes are ioredis' Cluster client's job.
 */
class ClusterRouter implements KeyRouter {
  constructor(readonly cluster: Cluster) {}

  unitOf(key: string): number {
    return clusterSlot(key);
  }

  ownerOfUnit(slot: number): string {
    return this.cluster.slots[slot]?.[0] ?? `slot:${slot}`;
  }

  targetOfUnit(): CommandTarget {
    return this.cluster;
  }

  targetOf(): CommandTarget {
    return this.cluster;
  }

  nodes(): readonly { address: string; target: CommandTarget }[] {
    return this.cluster.nodes("master").map((node) => ({
      address: `${node.options.host ?? "?"}:${node.options.port ?? "?"}`,
      target: node,
    }));
  }

  async quit(): Promise<void> {
    try {
      await this.cluster.quit();
    } catch {
      this.cluster.disconnect();
    }
  }
}

/** The `redis_cluster` kind: native Redis Cluster through ioredis' Cluster client. */
export class ClusterRedis extends RoutedConnection {
  readonly cluster: Cluster;

  private constructor(name: string, router: ClusterRouter) {
    super(name, "redis_cluster", router);
    this.cluster = router.cluster;
  }

  static async connect(config: ClusterRedisConfig): Promise<ClusterRedis> {
    if (config.startupNodes.length === 0) throw new ConfigError(config.name, "startupNodes", "must list at least one node");
    const cluster = new Cluster(config.startupNodes, {
      lazyConnect: true,
      maxRedirections: 16,
      clusterRetryStrategy: (times) => (times > 3 ? null : 100 * times),
      ...config.clusterOptions,
      redisOptions: {
        connectTimeout: config.connectTimeoutMs ?? 2_000,
        commandTimeout: config.commandTimeoutMs,
        maxRetriesPerRequest: 1,
        ...config.redisOptions,
        ...config.clusterOptions?.redisOptions,
      },
    });
    cluster.on("error", () => undefined);
    try {
      await cluster.connect();
    } catch (error) {
      cluster.disconnect();
      const reason = error instanceof Error ? error.message : String(error);
      throw new ConnectionError(config.name, config.startupNodes.map(addressOf).join(", "), `cannot join the cluster (${reason})`, {
        cause: error,
      });
    }
    return new ClusterRedis(config.name, new ClusterRouter(cluster));
  }
}
