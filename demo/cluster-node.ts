// One node of `npm run demo:cluster`, as its own process (so that it can be killed):
//   node --conditions=source --import tsx demo/cluster-node.ts <cluster.json> <set>:<id>
// A ClusterNode serving the Wallets example sharded by owner (its set's slots run here, others go
// to their owner set through the tunnel) and Payments on its edge. Prints "READY <id> <pid> <edge
// url>" once it serves, then "LEADER <set>:<id> <term>" whenever the leader it knows changes.
// SIGINT/SIGTERM stop it gracefully.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RaftStore, RedisRegistry, StaticRegistry, withModels } from "rony-ts/runtime";
import { ClusterNode } from "rony-ts/runtime/cluster";
import { createWalletsModels } from "../generated/examples/wallets.models.js";
import { registerPayments, registerWallets } from "../generated/examples/wallets.rony.js";
import type { ClusterLayout } from "./cluster-layout.js";
import { ModelWalletsService, PaymentsService } from "./wallets-service.js";

const [layoutPath, nodeId] = process.argv.slice(2);
if (layoutPath === undefined || nodeId === undefined) throw new Error("usage: cluster-node.ts <cluster.json> <set>:<id>");
const layout = JSON.parse(readFileSync(layoutPath, "utf8")) as ClusterLayout;
const [setId, raftId] = nodeId.split(":").map(Number) as [number, number];
const set = layout.sets.find((s) => s.id === setId);
if (set === undefined || !set.members.some((m) => m.id === raftId)) throw new Error(`${nodeId} is not in ${layoutPath}`);

const registry = "file" in layout.registry ? await StaticRegistry.fromFile(layout.registry.file) : new RedisRegistry({ redis: layout.registry.redis, prefix: layout.registry.prefix, secret: layout.secret });
const dataDir = join(layout.dataDir, `node-${setId}-${raftId}`);
mkdirSync(dataDir, { recursive: true });
const ledger = new RaftStore("ledger");
const node = new ClusterNode({ id: raftId, replicaSet: setId, dataDir, secret: layout.secret, members: set.members, slots: set.slots, stores: [ledger], registry, edge: { host: "127.0.0.1" } });
registerWallets(withModels(node.replicated, createWalletsModels({ ledger })), new ModelWalletsService());
registerPayments(node.edge, new PaymentsService(node.transport()));
await node.start();

node.replica.raft.onLeaderChange((c) => process.stdout.write(`LEADER ${c.leaderId === 0 ? "" : `${setId}:${c.leaderId}`} ${c.term}\n`));
process.stdout.write(`READY ${nodeId} ${process.pid} http://${node.edgeAddress}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void node.stop().then(() => process.exit(0)));
