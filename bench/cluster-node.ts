// One Notes server for the cluster bench, as its own process (etcd's members are processes too):
// either a member of a 3-node replica set (Notes on the raft connection, as test/cluster/replica-set.ts
// wires it) or a plain unreplicated EdgeServer running the same ModelNotesService over a MemoryStore.
// Usage: cluster-node.ts '<json config>'; prints READY, then LEADER when this replica leads.
import { EdgeServer, MemoryStore, RaftStore, withModels } from "rony-ts/runtime";
import { ReplicaNode, type ReplicaMember } from "rony-ts/runtime/cluster";
import { createNotesModels } from "../generated/examples/notes.models.js";
import { registerNotes } from "../generated/examples/notes.rony.js";
import { ModelNotesService } from "../demo/notes-models-service.js";

type Config =
  | { mode: "single"; edgePort: number }
  | { mode: "replica"; id: number; dataDir: string; secret: string; members: ReplicaMember[]; tickMs: number };

const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;

if (cfg.mode === "single") {
  const server = new EdgeServer({ host: "127.0.0.1" });
  registerNotes(withModels(server, createNotesModels({ main: new MemoryStore("main") })), new ModelNotesService());
  await server.listen(cfg.edgePort);
  console.log("READY");
} else {
  const store = new RaftStore("main");
  const node = new ReplicaNode({
    id: cfg.id,
    replicaSet: 1,
    dataDir: cfg.dataDir,
    secret: cfg.secret,
    members: cfg.members,
    stores: [store],
    edge: { host: "127.0.0.1" },
    raft: { tickMs: cfg.tickMs },
  });
  registerNotes(withModels(node.replicated, createNotesModels({ main: store })), new ModelNotesService());
  await node.start();
  console.log("READY");
  // The bench sends every call to the leader's edge (as the etcd client talks to etcd's leader).
  let said = false;
  setInterval(() => {
    const leads = node.raft.isLeader();
    if (leads && !said) console.log("LEADER");
    said = leads;
  }, 20).unref();
}
