// `npm run demo:replicated`: three nodes of one replica set on this machine, serving the Notes
// service on the raft connection (and Echo on each edge). Each node is its own process, so one
// can be killed: `npm run demo:replicated` starts all three and prints how to call them.
// A single node: `npm run demo:replicated -- --node 2` (what the launcher runs for each).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RaftStore, withModels } from "rony-ts/runtime";
import { ReplicaNode, type ReplicaMember } from "rony-ts/runtime/cluster";
import { registerEcho } from "../generated/examples/echo.rony.js";
import { createNotesModels } from "../generated/examples/notes.models.js";
import { registerNotes } from "../generated/examples/notes.rony.js";
import { EchoService } from "./echo-service.js";
import { ModelNotesService } from "./notes-models-service.js";

const BASE_PORT = Number(process.env["PORT"] ?? 8081);
const DATA = process.env["RONY_DATA"] ?? join(tmpdir(), "rony-demo-replicated");
// A demo secret: a real cluster reads its own from the environment or a secrets store.
const SECRET = process.env["RONY_CLUSTER_SECRET"] ?? "demo-cluster-secret-change-me";
const members: ReplicaMember[] = [1, 2, 3].map((id) => ({
  id,
  edge: { host: "127.0.0.1", port: BASE_PORT + id - 1 },
  raft: { host: "127.0.0.1", port: BASE_PORT + 100 + id - 1 },
}));

async function runNode(id: number): Promise<void> {
  const dataDir = join(DATA, `node${id}`);
  mkdirSync(dataDir, { recursive: true });
  const store = new RaftStore("main");
  const node = new ReplicaNode({ id, replicaSet: 1, dataDir, secret: SECRET, members, stores: [store], edge: { host: "127.0.0.1" } });
  registerNotes(withModels(node.replicated, createNotesModels({ main: store })), new ModelNotesService());
  registerEcho(node.edge, new EchoService(`node-${id}`));
  await node.start();
  node.raft.onLeaderChange((c) => {
    if (c.leaderId !== 0) console.log(`[node ${id}] leader is now node ${c.leaderId} (term ${c.term}${c.leaderId === id ? ", this node" : ""})`);
  });
  console.log(`[node ${id}] pid ${process.pid}, edge http://127.0.0.1:${node.edge.port}, data ${dataDir}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void node.stop().then(() => process.exit(0)));
}

function launchAll(): void {
  const self = fileURLToPath(import.meta.url);
  const children: ChildProcess[] = members.map((m) =>
    spawn(process.execPath, ["--conditions=source", "--import", "tsx", self, "--node", String(m.id)], { stdio: "inherit" }),
  );
  const [a, b, c] = members.map((m) => `http://127.0.0.1:${m.edge.port}`);
  console.log(`rony-ts replicated demo: one replica set of three nodes (data in ${DATA})

  node 1 ${a}   node 2 ${b}   node 3 ${c}

Write through any node (a follower forwards to the leader), read from any:

  curl -s -X POST ${b}/notebooks/home/notes -d '{"slug":"milk","title":"Buy milk"}'
  curl -s ${c}/notebooks/home/notes

Kill the leader (its pid is printed above; "leader is now" lines say which node leads) and
call again: a new leader is elected within about a second, and nothing acknowledged is lost:

  kill -9 <pid of the leader>
  curl -s -X POST ${a}/notebooks/home/notes -d '{"slug":"eggs","title":"Buy eggs"}'
  curl -s ${a}/notebooks/home/notes

From TypeScript, a ClusterTransport moves to a live node and retries exactly once:

  const notes = new NotesClient(new ClusterTransport(["ws://127.0.0.1:${BASE_PORT}/ws", "ws://127.0.0.1:${BASE_PORT + 1}/ws", "ws://127.0.0.1:${BASE_PORT + 2}/ws"]));

Restart a killed node alone with: npm run demo:replicated -- --node <id>
Ctrl-C stops all three.`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      for (const child of children) child.kill("SIGTERM");
      process.exit(0);
    });
  }
}

const at = process.argv.indexOf("--node");
if (at >= 0) await runNode(Number(process.argv[at + 1]));
else launchAll();
