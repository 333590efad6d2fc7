// Starts and stops the sharded cluster the cluster bench measures: `npm run demo:cluster`'s layout
// and node processes (demo/cluster-layout.ts, demo/cluster-node.ts: ClusterNodes serving Wallets),
// two replica sets of three on 127.0.0.1, set 1 owning slots 0-8191 and set 2 8192-16383, with a
// Redis registry (the test services' Redis, keys under a prefix of this run's own) so that every
// node knows where the other set's leader is.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { SLOT_MAP, WebSocketTransport } from "rony-ts/runtime/client";
import { twoSetLayout, writeLayout } from "../demo/cluster-layout.js";
import { stopAll } from "./cluster-servers.js";
import { freePort } from "./raft-cluster.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const entry = fileURLToPath(new URL("../demo/cluster-node.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ShardedServers {
  /** Set 1 owns slots 0-8191, set 2 the rest. */
  readonly slots: ReadonlyMap<number, string>;
  /** "<set>:<raftId>" of each set's leader, as its nodes printed it. */
  leaderOf(set: number): string;
  /** A node of `set` that does not lead it. */
  followerOf(set: number): string;
  wsUrl(node: string): string;
  readonly pids: number[];
  stop(): Promise<void>;
}

export async function startShardedCluster(dataDir: string, redis = { host: "127.0.0.1", port: 6379 }): Promise<ShardedServers> {
  await mkdir(dataDir, { recursive: true });
  const ports: number[] = [];
  for (let i = 0; i < 12; i++) ports.push(await freePort());
  const layout = twoSetLayout(ports, dataDir, randomBytes(32).toString("hex"), redis);
  const layoutPath = writeLayout(layout);
  const urls = new Map<string, string>(layout.sets.flatMap((s) => s.members.map((m) => [`${s.id}:${m.id}`, `ws://127.0.0.1:${m.edge.port}/ws`] as const)));
  /** Per set, the leader its nodes last printed and its term. */
  const leaders = new Map<number, { node: string; term: number }>();
  const procs: ChildProcess[] = [];
  const ready = [...urls.keys()].map(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", entry, layoutPath, id], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
        procs.push(p);
        let pending = "";
        let err = "";
        p.stdout!.on("data", (d: Buffer) => {
          const lines = (pending + d.toString()).split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) {
            if (line.startsWith(`READY ${id} `)) resolve();
            const m = /^LEADER (\d+):(\d+) (\d+)$/.exec(line);
            const set = Number(m?.[1]);
            if (m && (leaders.get(set)?.term ?? -1) < Number(m[3])) leaders.set(set, { node: `${m[1]}:${m[2]}`, term: Number(m[3]) });
          }
        });
        p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
        p.on("exit", (code, signal) => reject(new Error(`sharded node ${id} exited (${signal ?? code}): ${err.slice(-2000)}`)));
      }),
  );
  const stop = () => stopAll(procs);
  try {
    await withTimeout(Promise.all(ready), 60_000, "the sharded cluster's six nodes did not all start");
    // Ready when every node's view names each set's leader first (the forwarding node routes by it,
    // and a slot-routing client sends to the first node of the owner it learns).
    const end = Date.now() + 60_000;
    for (const id of urls.keys()) {
      for (;;) {
        if (await viewReady(urls.get(id)!, leaders)) break;
        if (Date.now() > end) throw new Error(`${id}'s view of the cluster did not settle within 60 s`);
        await sleep(200);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const leaderOf = (set: number) => leaders.get(set)!.node;
  return {
    slots: new Map(layout.sets.map((s) => [s.id, s.slots])),
    leaderOf,
    followerOf: (set) => [...urls.keys()].find((id) => id.startsWith(`${set}:`) && id !== leaderOf(set))!,
    wsUrl: (node) => urls.get(node)!,
    pids: procs.map((p) => p.pid!),
    stop,
  };
}

async function viewReady(url: string, leaders: ReadonlyMap<number, { node: string }>): Promise<boolean> {
  const t = new WebSocketTransport(url, { timeoutMs: 2_000, reconnect: false });
  try {
    const map = await t.call(SLOT_MAP, {});
    return map.ranges.length === 2 && [1, 2].every((set) => map.replicaSets.find((s) => s.id === set)?.nodes[0]?.id === leaders.get(set)?.node);
  } catch {
    return false;
  } finally {
    t.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
