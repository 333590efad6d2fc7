// `npm run demo:cluster`: a sharded cluster on this machine — two replica sets of three nodes, each
// node its own process, the first set serving slots 0-8191 and the second 8192-16383. The nodes
// find each other through the static registry (a file written next to their data in a temp dir)
// or, with `--registry redis://host:port`, through Redis. Prints the status page's address and
// calls to paste; Ctrl-C stops every node.
//   npm run demo:cluster [-- --port 9001] [-- --registry redis://127.0.0.1:6379]
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
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
      if (!stopping) console.log(`[${id}] exited (${signal ?? code}); restart it with: node --conditions=source --import tsx ${nodeScript} ${layoutPath} ${id}`);
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
await Promise.all(ids.map(startNode));
const edge = (set: number, id: number) => `http://127.0.0.1:${layout.sets[set - 1]!.members[id - 1]!.edge.port}`;
console.log(`
rony-ts cluster demo: two replica sets of three nodes (${"file" in layout.registry ? `static registry ${layout.registry.file}` : `Redis registry ${registryUrl}`})
data and config in ${dataDir}

Status page (any node serves it):  ${edge(1, 1)}/cluster
                        its JSON:  ${edge(1, 1)}/cluster/status.json

  curl -s ${edge(2, 3)}/cluster/status.json

Kill a node (pids above) and watch the page: it shows the node down, then its set's new leader:

  kill -9 <pid>

Ctrl-C stops every node.`);
