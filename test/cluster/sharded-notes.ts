// Notes as a sharded service, for the slot tests until the Wallets example lands: the same
// generated rpcs and models, registered with replication "sharded" and the notebook as shard key
// (the Note model's shard key too), so a call and the records it writes fall in one slot.
import { RaftStore, withModels, type CallContext, type HandlerRegistry, type MethodDescriptor } from "rony-ts/runtime";
import { ReplicaNode, type ReplicaMember } from "rony-ts/runtime/cluster";
import { createNotesModels } from "../../generated/examples/notes.models.js";
import { registerNotes } from "../../generated/examples/notes.rony.js";
import { ModelNotesService } from "../../demo/notes-models-service.js";
import { SECRET } from "./replica-set.js";

/** The registry `registry`, with every method it is given turned sharded on `notebook`. */
export function shardedByNotebook<Ctx extends CallContext>(registry: HandlerRegistry<Ctx>): HandlerRegistry<Ctx> {
  return {
    add: (method, handler) => registry.add(shardedMethod(method), handler),
    addStream: (method, handlers) => registry.addStream(method, handlers),
  };
}

export function shardedMethod<I, O>(method: MethodDescriptor<I, O>): MethodDescriptor<I, O> {
  return { ...method, replication: "sharded", shardKey: (input: I) => (input as { notebook: string }).notebook };
}

/** One node of a replica set serving sharded Notes on its raft connection "main", started. */
export async function startShardedNotesNode(cfg: {
  id: number;
  replicaSet: number;
  slots: string;
  dataDir: string;
  members: readonly ReplicaMember[];
  tickMs?: number;
}): Promise<ReplicaNode> {
  const store = new RaftStore("main");
  const node = new ReplicaNode({
    id: cfg.id,
    replicaSet: cfg.replicaSet,
    slots: cfg.slots,
    dataDir: cfg.dataDir,
    members: cfg.members,
    secret: SECRET,
    stores: [store],
    edge: { host: "127.0.0.1" },
    raft: { tickMs: cfg.tickMs ?? 20 },
  });
  registerNotes(withModels(shardedByNotebook(node.replicated), createNotesModels({ main: store })), new ModelNotesService());
  return node.start();
}
