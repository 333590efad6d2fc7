// Starts and stops the two 3-server clusters the Raft bench compares: rony-ts (bench/raft-grpc-node.ts
// processes) and etcd (Debian's /usr/bin/etcd), each on loopback ports with its own data dirs.
import type { ChildProcess } from "node:child_process";
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const exec = promisify(execFile);
const root = fileURLToPath(new URL("../", import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const ETCD = "/usr/bin/etcd";
export const ETCDCTL = "/usr/bin/etcdctl";

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface Cluster {
  name: string;
  /** gRPC port of the current leader: every request goes there, for both systems. */
  leaderPort: number;
  pids: number[];
  stop(): Promise<void>;
}

const waitLine = (p: ChildProcess, line: string, what: string): Promise<void> =>
  new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`${what} did not start: ${err.slice(-2000)}`)), 30_000);
    p.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes(line)) {
        clearTimeout(t);
        resolve();
      }
    });
    p.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited with ${code}: ${err.slice(-2000)}`));
    });
  });

const killAll = async (procs: ChildProcess[]): Promise<void> => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGTERM");
  for (let i = 0; i < 100 && procs.some((p) => p.exitCode === null && p.signalCode === null); i++) await sleep(20);
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
};

export const startRony = async (dataRoot: string, tickMs: number): Promise<Cluster> => {
  const secret = randomBytes(32).toString("hex");
  const ids = [1, 2, 3];
  const raftPorts: Record<string, number> = {};
  const grpcPorts = new Map<number, number>();
  const httpPorts = new Map<number, number>();
  for (const id of ids) {
    raftPorts[id] = await freePort();
    grpcPorts.set(id, await freePort());
    httpPorts.set(id, await freePort());
  }
  const entry = fileURLToPath(new URL("./raft-grpc-node.ts", import.meta.url));
  const procs = ids.map((id) =>
    spawn(
      process.execPath,
      ["--conditions=source", "--import", "tsx", entry, JSON.stringify({ id, dataDir: join(dataRoot, `rony${id}`), secret, raftPorts, grpcPort: grpcPorts.get(id), httpPort: httpPorts.get(id), tickMs })],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  const stop = () => killAll(procs);
  try {
    await Promise.all(procs.map((p, i) => waitLine(p, "READY", `rony-ts node ${i + 1}`)));
    for (let i = 0; i < 400; i++) {
      for (const id of ids) {
        const s = (await (await fetch(`http://127.0.0.1:${httpPorts.get(id)}/status`)).json()) as { role: string };
        if (s.role === "leader") return { name: "rony-ts", leaderPort: grpcPorts.get(id)!, pids: procs.map((p) => p.pid!), stop };
      }
      await sleep(25);
    }
    throw new Error("rony-ts elected no leader");
  } catch (e) {
    await stop();
    throw e;
  }
};

export const etcdAvailable = (): boolean => existsSync(ETCD) && existsSync(ETCDCTL);

export const startEtcd = async (dataRoot: string): Promise<Cluster> => {
  const names = ["m1", "m2", "m3"];
  const client = new Map<string, number>();
  const peer = new Map<string, number>();
  for (const n of names) {
    client.set(n, await freePort());
    peer.set(n, await freePort());
  }
  const initial = names.map((n) => `${n}=http://127.0.0.1:${peer.get(n)}`).join(",");
  const procs = names.map((n) => {
    const log = openSync(join(dataRoot, `${n}.log`), "w");
    return spawn(
      ETCD,
      [
        `--name=${n}`,
        `--data-dir=${join(dataRoot, `etcd-${n}`)}`,
        `--listen-client-urls=http://127.0.0.1:${client.get(n)}`,
        `--advertise-client-urls=http://127.0.0.1:${client.get(n)}`,
        `--listen-peer-urls=http://127.0.0.1:${peer.get(n)}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peer.get(n)}`,
        `--initial-cluster=${initial}`,
        `--initial-cluster-token=bench-${process.pid}`,
        "--initial-cluster-state=new",
        "--logger=zap",
        "--log-outputs=stderr",
      ],
      { stdio: ["ignore", log, log] },
    );
  });
  const stop = () => killAll(procs);
  const endpoints = names.map((n) => `http://127.0.0.1:${client.get(n)}`).join(",");
  try {
    for (let i = 0; i < 150; i++) {
      try {
        const { stdout } = await exec(ETCDCTL, [`--endpoints=${endpoints}`, "endpoint", "status", "-w", "json"], { env: { ...process.env, ETCDCTL_API: "3" } });
        // member ids are uint64: keep them as strings
        const rows = JSON.parse(stdout.replace(/:(\d{15,})/g, ':"$1"')) as { Endpoint: string; Status: { header: { member_id: string }; leader: string } }[];
        const lead = rows.find((r) => r.Status.leader !== "0" && r.Status.header.member_id === r.Status.leader);
        if (rows.length === 3 && lead) return { name: "etcd", leaderPort: Number(new URL(lead.Endpoint).port), pids: procs.map((p) => p.pid!), stop };
      } catch {
        // not up yet
      }
      await sleep(200);
    }
    const logs = await readFile(join(dataRoot, "m1.log"), "utf8").catch(() => "");
    throw new Error(`etcd did not elect a leader: ${logs.slice(-1500)}`);
  } catch (e) {
    await stop();
    throw e;
  }
};

/** CPU seconds (user + system) used so far by the processes. */
export const cpuSeconds = async (pids: number[]): Promise<number> => {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited
    }
  }
  return ticks / 100;
};
