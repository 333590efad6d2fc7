// Starts and stops the rony-ts Notes servers the cluster bench compares (bench/cluster-node.ts
// processes): a 3-node replica set, and one unreplicated EdgeServer. etcd comes from raft-cluster.ts.
import type { ChildProcess } from "node:child_process";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ReplicaMember } from "rony-ts/runtime/cluster";
import { freePort } from "./raft-cluster.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const entry = fileURLToPath(new URL("./cluster-node.ts", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface NotesServers {
  /** The edge every call goes to: the replica set's leader, or the single node. */
  readonly edgeUrl: string;
  readonly pids: number[];
  stop(): Promise<void>;
}

const node = (config: object): ChildProcess =>
  spawn(process.execPath, ["--conditions=source", "--import", "tsx", entry, JSON.stringify(config)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });

/** Resolves when one of the processes prints `line` (with that process's index). */
const firstLine = (procs: readonly ChildProcess[], line: string, what: string): Promise<number> =>
  new Promise((resolve, reject) => {
    const err: string[] = procs.map(() => "");
    const t = setTimeout(() => reject(new Error(`${what}: no ${line} within 30 s: ${err.join("\n").slice(-2000)}`)), 30_000);
    procs.forEach((p, i) => {
      let out = "";
      p.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.split("\n").includes(line)) {
          clearTimeout(t);
          resolve(i);
        }
      });
      p.stderr?.on("data", (d: Buffer) => (err[i] += d.toString()));
      p.on("exit", (code) => {
        clearTimeout(t);
        reject(new Error(`${what} ${i + 1} exited with ${code}: ${err[i]!.slice(-2000)}`));
      });
    });
  });

export const stopAll = async (procs: readonly ChildProcess[]): Promise<void> => {
  const running = () => procs.filter((p) => p.exitCode === null && p.signalCode === null);
  for (const p of running()) p.kill("SIGTERM");
  for (let i = 0; i < 100 && running().length > 0; i++) await sleep(20);
  for (const p of running()) p.kill("SIGKILL");
};

const started = async (procs: ChildProcess[], line: string, what: string, edgePorts: number[]): Promise<NotesServers> => {
  const stop = () => stopAll(procs);
  try {
    const i = await firstLine(procs, line, what);
    return { edgeUrl: `ws://127.0.0.1:${edgePorts[i]}/ws`, pids: procs.map((p) => p.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
};

export const startReplicaSet = async (dataRoot: string, tickMs: number): Promise<NotesServers> => {
  const secret = randomBytes(32).toString("hex");
  const members: ReplicaMember[] = [];
  for (const id of [1, 2, 3]) members.push({ id, raft: { host: "127.0.0.1", port: await freePort() }, edge: { host: "127.0.0.1", port: await freePort() } });
  const procs = members.map((m) => node({ mode: "replica", id: m.id, dataDir: join(dataRoot, `replica${m.id}`), secret, members, tickMs }));
  return started(procs, "LEADER", "replica node", members.map((m) => m.edge.port));
};

export const startSingle = async (): Promise<NotesServers> => {
  const edgePort = await freePort();
  return started([node({ mode: "single", edgePort })], "READY", "unreplicated node", [edgePort]);
};
