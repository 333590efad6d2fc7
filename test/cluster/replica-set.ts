// Starts the replica set the cluster tests use: Notes replicated on the raft connection, Echo
// (with its internal Ping) on every node's edge. In-process here; replica-process.ts runs one
// node as its own process with the same wiring.
import { RaftStore, withModels } from "rony-ts/runtime";
import { ReplicaNode, type ReplicaMember, type ReplicaNodeOptions } from "rony-ts/runtime/cluster";
import { createNotesModels, type NotesModels } from "../../generated/examples/notes.models.js";
import { registerEcho } from "../../generated/examples/echo.rony.js";
import { registerNotes } from "../../generated/examples/notes.rony.js";
import { EchoService } from "../../demo/echo-service.js";
import { ModelNotesService } from "../../demo/notes-models-service.js";
import { unusedPort } from "../support/redis-server.js";

export const SECRET = "test-cluster-secret-0123456789";

export async function membersOn(ids: readonly number[]): Promise<ReplicaMember[]> {
  const members: ReplicaMember[] = [];
  for (const id of ids) members.push({ id, raft: { host: "127.0.0.1", port: await unusedPort() }, edge: { host: "127.0.0.1", port: await unusedPort() } });
  return members;
}

export type NodeConfig = Pick<ReplicaNodeOptions, "id" | "dataDir" | "members" | "followerCalls" | "callTimeoutMs"> & {
  tickMs?: number;
  snapshotEntries?: number;
  peerIdleTimeoutMs?: number;
  tunnel?: { idleTimeoutSeconds?: number; maxPayloadBytes?: number };
};

const modelsByNode = new WeakMap<ReplicaNode, NotesModels>();

/** The repositories a node's Notes service uses (reads and subscriptions of its own replica). */
export function modelsOf(node: ReplicaNode): NotesModels {
  return modelsByNode.get(node)!;
}

/** One node of the Notes replica set, started; `beforeStart` may register more on it first. */
export async function startNotesNode(cfg: NodeConfig, beforeStart?: (node: ReplicaNode) => void): Promise<ReplicaNode> {
  const store = new RaftStore("main");
  const node = new ReplicaNode({
    ...cfg,
    replicaSet: 1,
    secret: SECRET,
    stores: [store],
    edge: { host: "127.0.0.1", limits: { maxPayloadBytes: 4 * 1024 * 1024 }, tunnelIdleTimeoutSeconds: cfg.tunnel?.idleTimeoutSeconds, tunnelMaxPayloadBytes: cfg.tunnel?.maxPayloadBytes },
    raft: { tickMs: cfg.tickMs ?? 20, snapshotEntries: cfg.snapshotEntries, peerIdleTimeoutMs: cfg.peerIdleTimeoutMs },
  });
  const models = createNotesModels({ main: store });
  modelsByNode.set(node, models);
  registerNotes(withModels(node.replicated, models), new ModelNotesService());
  registerEcho(node.edge, new EchoService(`node-${cfg.id}`));
  beforeStart?.(node);
  return node.start();
}
