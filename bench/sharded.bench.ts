// What forwarding costs in a sharded cluster: Wallets.Deposit for owners of replica set 2's slots on
// the demo's cluster (two sets of three node processes, ClusterNode, Redis registry on
// 127.0.0.1:6379 under a per-run prefix), sent (a) to set 2's leader, where it runs; (b) to set
// 1's leader, which forwards it through the tunnel to set 2's leader; (c) through a
// ClusterTransport with slotRouting that learned the slot map from a set-1 node. 1 and 16
// concurrent callers, interleaved rounds. SHARDED_BENCH_SECONDS (default 3), SHARDED_BENCH_ROUNDS (3).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClusterTransport, WebSocketTransport, slotOf, type Transport } from "rony-ts/runtime/client";
import { WalletsClient } from "../generated/examples/wallets.rony.js";
import { twoSetLayout, writeLayout } from "../demo/cluster-layout.js";
import { unusedPort } from "../test/support/redis-server.js";
import { closedLoop, median, type Run } from "./closed-loop.js";

const SECONDS = Number(process.env["SHARDED_BENCH_SECONDS"] ?? 3);
const ROUNDS = Number(process.env["SHARDED_BENCH_ROUNDS"] ?? 3);
const CONCURRENCY = [1, 16];
const OWNERS: string[] = [];
for (let i = 0; OWNERS.length < 256; i++) if (slotOf(`owner-${i}`) >= 8192) OWNERS.push(`owner-${i}`);

const dataDir = mkdtempSync(join(tmpdir(), "rony-bench-sharded-"));
const ports: number[] = [];
for (let i = 0; i < 12; i++) ports.push(await unusedPort());
const layout = twoSetLayout(ports, dataDir, "bench-sharded-secret-0123456789", { host: "127.0.0.1", port: 6379 });
const layoutPath = writeLayout(layout);
const nodeScript = fileURLToPath(new URL("../demo/cluster-node.ts", import.meta.url));
const children = new Map<string, ChildProcess>();
const leaders = new Map<string, string>();

function startNode(id: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--conditions=source", "--import", "tsx", nodeScript, layoutPath, id], { stdio: ["ignore", "pipe", "inherit"] });
    children.set(id, child);
    let pending = "";
    child.stdout!.on("data", (d: Buffer) => {
      const lines = (pending + d.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const leader = /^LEADER (\d+):(\d+) \d+$/.exec(line);
        if (leader) leaders.set(leader[1]!, `${leader[1]}:${leader[2]}`);
        if (line.startsWith("READY ")) resolve();
      }
    });
    child.on("exit", (code, signal) => reject(new Error(`node ${id} exited (${signal ?? code}); is Redis on 127.0.0.1:6379?`)));
  });
}

const edgeUrl = (id: string) => {
  const [set, raft] = id.split(":").map(Number);
  const m = layout.sets.find((s) => s.id === set)!.members.find((x) => x.id === raft)!;
  return `ws://${m.edge.host}:${m.edge.port}/ws`;
};

async function leaderOf(set: string): Promise<string> {
  for (let i = 0; i < 500 && !leaders.has(set); i++) await new Promise((r) => setTimeout(r, 20));
  const id = leaders.get(set);
  if (id === undefined) throw new Error(`set ${set} elected no leader`);
  return id;
}

interface Target {
  readonly name: string;
  open(): Transport & { close(): void };
}

try {
  const ids = layout.sets.flatMap((s) => s.members.map((m) => `${s.id}:${m.id}`));
  await Promise.all(ids.map(startNode));
  const [leader1, leader2] = [await leaderOf("1"), await leaderOf("2")];
  // let every node hear the others' announcements (leaders included)
  await new Promise((r) => setTimeout(r, 1_500));
  const pids = [...children.values()].map((c) => c.pid!);
  const targets: Target[] = [
    { name: `to set 2's leader (${leader2}): runs there`, open: () => new WebSocketTransport(edgeUrl(leader2), { reconnect: false }) },
    { name: `to set 1's leader (${leader1}): forwarded`, open: () => new WebSocketTransport(edgeUrl(leader1), { reconnect: false }) },
    { name: "ClusterTransport slotRouting", open: () => new ClusterTransport([edgeUrl(leader1)], { slotRouting: true }) },
  ];
  const results = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const concurrency of CONCURRENCY) {
      for (const target of targets) {
        const transport = target.open();
        const wallets = new WalletsClient(transport);
        const write = (k: number) => wallets.deposit({ owner: OWNERS[k]!, amount: 1n }).then(() => true, () => false);
        try {
          const run = await closedLoop(write, pids, concurrency, SECONDS, OWNERS.length);
          const key = `${target.name}|${concurrency}`;
          results.set(key, [...(results.get(key) ?? []), run]);
        } finally {
          transport.close();
        }
      }
    }
  }
  console.log(`Wallets.Deposit on set 2 (two sets of three processes, Redis registry), ${ROUNDS} rounds × ${SECONDS} s, medians; load ${loadavg()[0]!.toFixed(1)}`);
  console.log("target | callers | calls/s | p50 ms | p99 ms | servers' CPU (cores) | client CPU | errors");
  for (const concurrency of CONCURRENCY) {
    for (const target of targets) {
      const runs = results.get(`${target.name}|${concurrency}`)!;
      const m = (f: (r: Run) => number) => median(runs.map(f));
      console.log(`${target.name} | ${concurrency} | ${m((r) => r.opsPerSec).toFixed(0)} | ${m((r) => r.p50).toFixed(2)} | ${m((r) => r.p99).toFixed(2)} | ${m((r) => r.serverCpu).toFixed(2)} | ${m((r) => r.clientCpu).toFixed(2)} | ${runs.reduce((s, r) => s + r.errors, 0)}`);
    }
  }
} finally {
  for (const child of children.values()) child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
}
