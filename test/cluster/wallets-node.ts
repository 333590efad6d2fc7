// One node of a replica set serving the Wallets example: Wallets sharded on the raft connection
// "ledger" (the slots it owns at first from `slots`), Payments on the edge over `payments`, the
// transport its Transfer reaches Wallets through.
import { RaftStore, withModels, type Transport } from "rony-ts/runtime";
import { ReplicaNode } from "rony-ts/runtime/cluster";
import { createWalletsModels, type WalletsModels } from "../../generated/examples/wallets.models.js";
import { registerPayments, registerWallets } from "../../generated/examples/wallets.rony.js";
import { ModelWalletsService, PaymentsService } from "../../demo/wallets-service.js";
import { SECRET, type NodeConfig } from "./replica-set.js";

const modelsByNode = new WeakMap<ReplicaNode, WalletsModels>();

/** The repositories of a node's own replica. */
export function walletsOf(node: ReplicaNode): WalletsModels {
  return modelsByNode.get(node)!;
}

export async function startWalletsNode(cfg: NodeConfig & { replicaSet: number; slots: string; payments: (node: ReplicaNode) => Transport }): Promise<ReplicaNode> {
  const store = new RaftStore("ledger");
  const node = new ReplicaNode({
    id: cfg.id,
    replicaSet: cfg.replicaSet,
    dataDir: cfg.dataDir,
    members: cfg.members,
    slots: cfg.slots,
    secret: SECRET,
    stores: [store],
    edge: { host: "127.0.0.1" },
    raft: { tickMs: cfg.tickMs ?? 20 },
  });
  const models = createWalletsModels({ ledger: store });
  modelsByNode.set(node, models);
  registerWallets(withModels(node.replicated, models), new ModelWalletsService());
  registerPayments(node.edge, new PaymentsService(cfg.payments(node)));
  return node.start();
}
