// `npm run demo:cluster`: a sharded cluster on this machine — two replica sets of three nodes, each
// node its own process, serving the Wallets example (schemas/examples/wallets.proto) sharded by
// owner: the first set owns slots 0-8191, the second 8192-16383. The nodes
// find each other through the static registry (a file written next to their data in a temp dir)
// or, with `--registry redis://host:port`, through Redis. Prints the status page's address and
// calls to paste; Ctrl-C stops every node.
//   npm run demo:cluster [-- --port 9001] [-- --registry redis://127.0.0.1:6379]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { SlotRanges } from "rony-ts/runtime/cluster";
import { slotOf } from "rony-ts/runtime/rpc";
import { twoSetLayout, writeLayout, type ClusterLayout } from "./cluster-layout.js";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

function redisAddress(url: string): { host: string; port: number } {
  const m = /^redis:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (m === null) throw new Error(`--registry ${url}: expected redis://host:port`);
  return { host: m[1]!, port: Number(m[2] ?? 6379) };
}

const base = Number(option("--port") ?? process.env["PORT"] ?? 9001);
const registryUrl = option("--registry");
// Set s, node i: edge base + 10(s-1) + (i-1), Raft 100 above it.
const ports = [0, 1, 2, 10, 11, 12].map((o) => base + o);
const dataDir = mkdtempSync(join(tmpdir(), "rony-demo-cluster-"));
// A demo secret: a real cluster reads its own from the environment or a secrets store.
const secret = process.env["RONY_CLUSTER_SECRET"] ?? "demo-cluster-secret-change-me";
const layout: ClusterLayout = twoSetLayout([...ports, ...ports.map((p) => p + 100)], dataDir, secret, registryUrl === undefined ? undefined : redisAddress(registryUrl));
const layoutPath = writeLayout(layout);
const nodeScript = fileURLToPath(new URL("./cluster-node.ts", import.meta.url));

const children = new Map<string, ChildProcess>();
let stopping = false;

function startNode(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", nodeScript, layoutPath, id], { stdio: ["ignore", "pipe", "inherit"] });
    children.set(id, child);
    let pending = "";
    child.stdout!.on("data", (d: Buffer) => {
      const lines = (pending + d.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const ready = /^READY (\S+) (\d+) (\S+)$/.exec(line);
        const leader = /^LEADER (\S*) (\d+)$/.exec(line);
        if (ready) {
          console.log(`[${id}] pid ${ready[2]}, edge ${ready[3]}`);
          resolve();
        } else if (leader) {
          if (leader[1] !== "") console.log(`[${id}] leader of set ${id.split(":")[0]} is now ${leader[1]} (term ${leader[2]})`);
        } else if (line !== "") console.log(`[${id}] ${line}`);
      }
    });
    child.on("exit", (code, signal) => {
      if (!stopping) console.log(`[${id}] exited (${signal ?? code}); restart it (in its own terminal, from this directory) with: node --conditions=source --import tsx ${relative(process.cwd(), nodeScript)} ${layoutPath} ${id}`);
      reject(new Error(`node ${id} exited before it was ready`));
    });
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopping = true;
    for (const child of children.values()) child.kill("SIGTERM");
    process.exit(0);
  });
}

const ids = layout.sets.flatMap((s) => s.members.map((m) => `${s.id}:${m.id}`));
try {
  await Promise.all(ids.map(startNode));
} catch (e) {
  stopping = true;
  for (const child of children.values()) child.kill("SIGTERM");
  console.error(`the demo did not start: ${(e as Error).message}`);
  process.exit(1);
}
const edge = (set: number, id: number) => `http://127.0.0.1:${layout.sets[set - 1]!.members[id - 1]!.edge.port}`;
const ownerOf = (owner: string) => layout.sets.find((set) => SlotRanges.parse(set.slots).has(slotOf(owner)))!.id;
const rpc = (url: string, method: string, input: object) =>
  `curl -s ${url}/rpc -H 'content-type: application/json' -d '${JSON.stringify({ requestId: 1, method: `examples.wallets.${method}`, input })}'`;
// The mover reaches the sets through their nodes' edges (either registry); it needs the secret.
const moverNodes = layout.sets.flatMap((set) => set.members.map((m) => `${set.id}:${m.id}@127.0.0.1:${m.edge.port}`)).join(",");
const secretPrefix = process.env["RONY_CLUSTER_SECRET"] === undefined ? `RONY_CLUSTER_SECRET=${secret} ` : "";
const wsUrls = layout.sets.flatMap((set) => set.members.map((m) => `"ws://127.0.0.1:${m.edge.port}/ws"`));
console.log(`
rony-ts cluster demo: two replica sets of three nodes serving Wallets, sharded by owner
(${"file" in layout.registry ? `static registry ${layout.registry.file}` : `Redis registry ${registryUrl}`}; data and config in ${dataDir})

The status page (every node serves it):  ${edge(1, 1)}/cluster

Any node takes any call. alice's wallet is in slot ${slotOf("alice")} (replica set ${ownerOf("alice")}), bob's in slot ${slotOf("bob")}
(replica set ${ownerOf("bob")}). Deposit to alice through a node of set 2, which forwards it to set 1's leader, and
read it back from set 1:

  ${rpc(edge(2, 1), "Wallets.Deposit", { owner: "alice", amount: "500" })}
  ${rpc(edge(1, 2), "Wallets.Get", { owner: "alice" })}

Move 200 from alice to bob: Payments.Transfer calls Wallets on both replica sets through the cluster
stub (two writes, not one atomic step; docs/cluster.md):

  ${rpc(edge(1, 3), "Payments.Transfer", { from: "alice", to: "bob", amount: "200" })}
  npm run rony-ts -- call ws://127.0.0.1:${layout.sets[1]!.members[2]!.edge.port} Wallets.Get '{"owner":"bob"}'
  curl -s ${edge(2, 2)}/cluster/status.json

Move alice's slot to replica set 2 while the page is open: both sets' slot ranges and epochs change,
her wallet moves with the slot, and calls for her keep working from any node:

  ${secretPrefix}npm run rony-ts -- cluster move --to 2 --slots ${slotOf("alice")} --nodes ${moverNodes}
  ${rpc(edge(1, 1), "Wallets.Get", { owner: "alice" })}
  ${secretPrefix}npm run rony-ts -- cluster slots --nodes ${moverNodes}

From TypeScript, a client that learns the slot map and sends each call straight to its owner:

  const wallets = new WalletsClient(new ClusterTransport([${wsUrls.join(", ")}], { slotRouting: true }));

Kill a node (pids above) and watch the status page: the node goes DOWN, and if it led its set,
another member leads within a second or two; calls keep working.

  kill -9 <pid>

Ctrl-C stops every node.`);
