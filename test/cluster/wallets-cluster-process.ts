// One node of a sharded Wallets cluster as its own process, for the slot-move tests that kill it:
//   node --conditions=source --import tsx test/cluster/wallets-cluster-process.ts '<json ShardNodeConfig>'
// A ClusterNode (Redis registry) serving Wallets on the raft connection "ledger". Prints READY once
// it serves, then "LEADER <raftId> <term>" whenever the leader it knows changes.
import { RaftStore, RedisRegistry, withModels } from "rony-ts/runtime";
import { ClusterNode } from "rony-ts/runtime/cluster";
import { createWalletsModels } from "../../generated/examples/wallets.models.js";
import { registerWallets } from "../../generated/examples/wallets.rony.js";
import { ModelWalletsService } from "../../demo/wallets-service.js";
import { SECRET, type ShardNodeConfig } from "./shard-node.js";

const cfg = JSON.parse(process.argv[2] ?? "{}") as ShardNodeConfig;
const registry = new RedisRegistry({ redis: cfg.redis, prefix: cfg.prefix, ttlMs: cfg.ttlMs, refreshMs: cfg.refreshMs, secret: SECRET });
registry.onError = () => undefined;
const store = new RaftStore("ledger");
const node = new ClusterNode({
  replicaSet: cfg.replicaSet,
  id: cfg.id,
  dataDir: cfg.dataDir,
  members: cfg.members,
  slots: cfg.slots,
  secret: SECRET,
  registry,
  stores: [store],
  callTimeoutMs: 3_000,
  edge: { host: "127.0.0.1" },
  raft: { tickMs: 20 },
});
registerWallets(withModels(node.replicated, createWalletsModels({ ledger: store })), new ModelWalletsService());
await node.start();
node.replica.raft.onLeaderChange((c) => process.stdout.write(`LEADER ${c.leaderId} ${c.term}\n`));
process.stdout.write("READY\n");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void node.stop().then(() => process.exit(0)));
