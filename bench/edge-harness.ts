// Process plumbing for bench/edge.bench.ts: start a target server in its own process, run the
// native client or h2load against it, and read both sides' CPU use.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
export const tmp = `${root}.bench-tmp/edge/`;
const hasTaskset = spawnSync("taskset", ["-c", "0", "true"]).status === 0;
const ticksPerSecond = 100; // USER_HZ on Linux

/** Runs `argv` pinned to `cpu` when taskset is there. */
function pinned(cpu: string | undefined, argv: string[]): string[] {
  return cpu !== undefined && hasTaskset ? ["taskset", "-c", cpu, ...argv] : argv;
}

export function compileClient(): string {
  mkdirSync(tmp, { recursive: true });
  const out = `${tmp}edge-load`;
  const src = `${root}bench/native/edge-load.c`;
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    const cc = spawnSync("cc", ["-O2", "-o", out, src], { encoding: "utf8" });
    if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  }
  return out;
}

export interface Target {
  readonly name: string;
  readonly proc: ChildProcess;
  /** WebSocket / HTTP/1.1 port, and the h2c port where there is one. */
  readonly ports: number[];
}

export async function startTarget(name: string, cpu: string | undefined): Promise<Target> {
  const argv = pinned(cpu, [process.execPath, "--conditions=source", "--import", "tsx", `${root}bench/edge-servers.ts`, name]);
  const proc = spawn(argv[0]!, argv.slice(1), { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /PORTS ([\d ]+)\n/.exec(out);
      if (m) resolve(m[1]!.trim().split(" ").map(Number));
    });
    proc.once("exit", (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return { name, proc, ports };
}

/** Stops the target; resolves with how many calls its handler ran. */
export function stopTarget(t: Target): Promise<number> {
  return new Promise((resolve) => {
    let out = "";
    t.proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    t.proc.once("exit", () => resolve(Number(/SERVED (\d+)/.exec(out)?.[1] ?? -1)));
    t.proc.kill("SIGTERM");
  });
}

/** CPU seconds a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  /** Cores used: 1.0 is one core busy for the whole run. */
  clientCpu: number;
  serverCpu: number;
  replies: number;
}

export interface LoadSpec {
  conns: number;
  inflight: number;
  seconds: number;
  warmup: number;
  cpu: string | undefined;
}

function withServerCpu(target: Target, seconds: number, run: () => Omit<LoadResult, "serverCpu">): LoadResult {
  const before = cpuSeconds(target.proc.pid!);
  const r = run();
  return { ...r, serverCpu: (cpuSeconds(target.proc.pid!) - before) / seconds };
}

/** The native client: "ws" frames or raw HTTP/1.1 requests. */
export function nativeLoad(client: string, target: Target, mode: "ws" | "http", requestFile: string, spec: LoadSpec, path = "/ws"): LoadResult {
  return withServerCpu(target, spec.seconds + spec.warmup, () => {
    const argv = pinned(spec.cpu, [client, mode, "127.0.0.1", String(target.ports[0]), path, requestFile, String(spec.conns), String(spec.inflight), String(spec.seconds), String(spec.warmup)]);
    const run = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`edge-load against ${target.name}: ${run.stderr}`);
    const kv = Object.fromEntries(run.stdout.trim().split(" ").map((p) => p.split("=") as [string, string]));
    if (Number(kv["errors"]) > 0) throw new Error(`${target.name} answered ${kv["errors"]} requests with a non-200 status`);
    return { rps: Number(kv["rps"]), p50: Number(kv["p50_us"]), p99: Number(kv["p99_us"]), clientCpu: Number(kv["client_cpu"]), replies: Number(kv["replies"]) };
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/**
 * h2load over h2c: unary calls of connect-node or grpc-js. Counts and latencies come from its
 * per-request log, over the same window as the native client (after the warm-up).
 */
export function h2Load(target: Target, url: string, bodyFile: string, headers: string[], spec: LoadSpec): LoadResult {
  return withServerCpu(target, spec.seconds + spec.warmup, () => {
    const log = `${tmp}h2load.log`;
    rmSync(log, { force: true }); // h2load appends to an existing log
    const total = spec.seconds + spec.warmup;
    const args = ["-c", String(spec.conns), "-m", String(spec.inflight), "-D", `${Math.round(total * 1000)}ms`, "-d", bodyFile, ...headers.flatMap((h) => ["-H", h]), `--log-file=${log}`, url];
    // `times` reports the CPU the shell's children (h2load) used.
    const script = `${pinned(spec.cpu, ["h2load", ...args]).map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")} && times`;
    const run = spawnSync("sh", ["-c", script], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`h2load against ${target.name}: ${run.stderr}${run.stdout}`);
    const failed = Number(/(\d+) failed/.exec(run.stdout)?.[1] ?? 0);
    const entries = readFileSync(log, "utf8").trim().split("\n").map((l) => l.split("\t").map(Number) as [number, number, number]);
    if (failed > 0 || entries.length === 0) throw new Error(`h2load against ${target.name}: ${entries.length} logged, ${failed} failed`);
    if (entries.some((e) => e[1] !== 200)) throw new Error(`h2load against ${target.name}: non-200 replies`);
    const t0 = Math.min(...entries.map((e) => e[0])) + spec.warmup * 1e6;
    const window = entries.filter((e) => e[0] + e[2] >= t0 && e[0] + e[2] < t0 + spec.seconds * 1e6);
    const lat = window.map((e) => e[2]).sort((a, b) => a - b);
    const times = run.stdout.trim().split("\n").at(-1)!.split(/\s+/).map((t) => {
      const m = /(\d+)m([\d.]+)s/.exec(t);
      return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
    });
    return { rps: window.length / spec.seconds, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), clientCpu: (times[0]! + times[1]!) / total, replies: window.length };
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}
