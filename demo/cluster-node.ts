// One node of `npm run demo:cluster`, as its own process (so that it can be killed):
//   node --conditions=source --import tsx demo/cluster-node.ts <cluster.json> <set>:<id>
// Prints "READY <id> <pid> <edge url>" once it serves, then "LEADER <set>:<id> <term>" whenever the
// leader it knows changes. SIGINT/SIGTERM stop it gracefully.
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RaftStore, RedisRegistry, StaticRegistry, type Registry } from "rony-ts/runtime";
import { ReplicaNode, openTunnel, replicaNodeStats, serveClusterStatus, type AnnouncedNode } from "rony-ts/runtime/cluster";
import type { WebSocketTransport } from "rony-ts/runtime/client";
import { registerEcho } from "../generated/examples/echo.rony.js";
import { EchoService } from "./echo-service.js";
import type { ClusterLayout } from "./cluster-layout.js";

const [layoutPath, nodeId] = process.argv.slice(2);
if (layoutPath === undefined || nodeId === undefined) throw new Error("usage: cluster-node.ts <cluster.json> <set>:<id>");
const layout = JSON.parse(readFileSync(layoutPath, "utf8")) as ClusterLayout;
const [setId, raftId] = nodeId.split(":").map(Number) as [number, number];
const set = layout.sets.find((s) => s.id === setId);
const member = set?.members.find((m) => m.id === raftId);
if (set === undefined || member === undefined) throw new Error(`${nodeId} is not in ${layoutPath}`);

const registry: Registry = "file" in layout.registry ? await StaticRegistry.fromFile(layout.registry.file) : new RedisRegistry({ redis: layout.registry.redis, prefix: layout.registry.prefix, secret: layout.secret });
await registry.start();

const dataDir = join(layout.dataDir, `node-${setId}-${raftId}`);
mkdirSync(dataDir, { recursive: true });
const node = new ReplicaNode({ id: raftId, replicaSet: setId, dataDir, secret: layout.secret, members: [...set.members], stores: [new RaftStore("ledger")], edge: { host: "127.0.0.1" } });
registerEcho(node.edge, new EchoService(nodeId));

const edgeAddress = `${member.edge.host}:${member.edge.port}`;
const tunnels = new Map<string, WebSocketTransport>();
function tunnelTo(peer: AnnouncedNode): WebSocketTransport {
  const key = `${peer.id}@${peer.edgeAddress}`;
  let tunnel = tunnels.get(key);
  if (tunnel === undefined) {
    const [host, port] = peer.edgeAddress.split(/:(?=\d+$)/) as [string, string];
    tunnel = openTunnel({ secret: layout.secret, from: node.clusterId, to: peer.id, host, port: Number(port), timeoutMs: 2_000 });
    tunnels.set(key, tunnel);
  }
  return tunnel;
}
serveClusterStatus(node.edge, { self: replicaNodeStats(node, edgeAddress, () => ({ epoch: 1, owned: set.slots, moving: "" })), nodes: () => registry.nodes().values(), tunnelTo });

await node.start();
const announce = () => {
  const s = node.status();
  const role = s.role === "pre-candidate" ? "candidate" : s.role;
  return registry.announce({ id: nodeId, replicaSet: String(setId), edgeAddress, tunnelAddress: edgeAddress, role, leaderTerm: s.leader === 0 ? 0 : s.term, patterns: [], slots: set.slots, slotEpoch: 1 });
};
await announce();
node.raft.onLeaderChange((c) => {
  process.stdout.write(`LEADER ${c.leaderId === 0 ? "" : `${setId}:${c.leaderId}`} ${c.term}\n`);
  void announce().catch((e: unknown) => console.error(`[${nodeId}] announce: ${(e as Error).message}`));
});
process.stdout.write(`READY ${nodeId} ${process.pid} http://${edgeAddress}\n`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    for (const t of tunnels.values()) t.close();
    void node.stop().then(() => registry.close()).then(() => process.exit(0));
  });
}
