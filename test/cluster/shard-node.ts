// One node of the sharded test cluster: a ClusterNode serving the Shards test service, with a
// Redis registry. In-process here; shard-node-process.ts runs one as its own process.
import { RedisRegistry, type RegistryError } from "rony-ts/runtime";
import { ClusterNode, type ReplicaMember } from "rony-ts/runtime/cluster";
import { SHARD_READ, SHARD_WRITE, shardHandlers } from "./shard-service.js";

export const SECRET = "test-shard-cluster-secret-0123";

export interface ShardNodeConfig {
  readonly replicaSet: number;
  readonly id: number;
  readonly dataDir: string;
  readonly members: readonly ReplicaMember[];
  /** The slots this replica set starts with. */
  readonly slots: string;
  readonly redis: { readonly host: string; readonly port: number };
  readonly prefix: string;
  readonly ttlMs: number;
  readonly refreshMs: number;
  readonly shardCalls?: "forward" | "redirect";
}

export async function startShardNode(cfg: ShardNodeConfig, onRegistryError: (e: RegistryError) => void = () => undefined): Promise<ClusterNode> {
  const registry = new RedisRegistry({ redis: cfg.redis, prefix: cfg.prefix, ttlMs: cfg.ttlMs, refreshMs: cfg.refreshMs, secret: SECRET });
  registry.onError = onRegistryError;
  const node = new ClusterNode({
    replicaSet: cfg.replicaSet,
    id: cfg.id,
    dataDir: cfg.dataDir,
    members: cfg.members,
    slots: cfg.slots,
    secret: SECRET,
    registry,
    shardCalls: cfg.shardCalls,
    callTimeoutMs: 5_000,
    edge: { host: "127.0.0.1" },
    raft: { tickMs: 20 },
  });
  const handlers = shardHandlers(cfg.replicaSet, cfg.id);
  node.replicated.add(SHARD_WRITE, handlers.write);
  node.replicated.add(SHARD_READ, handlers.read);
  return node.start();
}
