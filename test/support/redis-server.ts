/**
 * Real redis-server processes for tests and benchmarks: N servers on free loopback ports,
 * optionally joined into a Redis Cluster, that a test can SIGKILL, pause and restart.
 *
 *   const fleet = await RedisFleet.start({ count: 3 });
 *   try { ... fleet.servers[0].port ...; await fleet.kill(1); await fleet.restart(1); }
 *   finally { await fleet.stop(); }
 *
 * Each server gets its own directory, so an explicit `SAVE` before a kill lets the restarted
 * server come back with its old (stale) data — the way a replica returns from an outage.
 * Servers run with `--save "" --appendonly no`: nothing is written unless a test asks.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, mkdirSync, existsSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RedisFleetOptions {
  /** How many servers to start. */
  count: number;
  /** Start with `--cluster-enabled yes` and join them as masters (no replicas). */
  cluster?: boolean;
  /** Extra `redis-server` arguments, e.g. `["--maxmemory", "10mb"]`. */
  extraArgs?: readonly string[];
  /** Start with `--requirepass` (and `--masterauth`): clients must AUTH with it. */
  password?: string;
  /** Pin the servers to these CPUs (`taskset -c`), e.g. "1"; for benchmarks. */
  cpus?: string;
}

export interface RedisServerInfo {
  readonly host: string;
  readonly port: number;
  /** `host:port` */
  readonly address: string;
  /** Working directory (dump.rdb, nodes.conf, log). */
  readonly dir: string;
  /** The `--requirepass` password, if any; command() logs in with it. */
  readonly password?: string;
}

const HOST = "127.0.0.1";
const START_HINT = 'is redis-server (v7) on PATH? try: redis-server --port <p> --save "" --appendonly no';
const live = new Set<ChildProcess>();

// A crashed or interrupted test run must not leave servers behind.
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class RedisFleet {
  readonly servers: readonly RedisServerInfo[];
  private readonly children: (ChildProcess | undefined)[];
  private readonly exits: Promise<void>[];

  private constructor(
    servers: RedisServerInfo[],
    private readonly root: string,
    private readonly options: RedisFleetOptions,
  ) {
    this.servers = servers;
    this.children = servers.map(() => undefined);
    this.exits = servers.map(() => Promise.resolve());
  }

  /** Starts `count` servers; on any failure the ones already started are stopped again. */
  static async start(options: RedisFleetOptions): Promise<RedisFleet> {
    const root = mkdtempSync(join(tmpdir(), "rony-redis-"));
    const ports = await freePorts(options.count, options.cluster === true);
    const servers = ports.map((port) => {
      const dir = join(root, String(port));
      mkdirSync(dir);
      return { host: HOST, port, address: `${HOST}:${port}`, dir, password: options.password };
    });
    const fleet = new RedisFleet(servers, root, options);
    try {
      await Promise.all(servers.map((_, i) => fleet.launchOnSomePort(i)));
      if (options.cluster) await fleet.joinCluster();
    } catch (err) {
      await fleet.stop();
      throw err;
    }
    return fleet;
  }

  /** Whether server `i` is running (not killed). A paused server counts as running. */
  isRunning(i: number): boolean {
    return this.children[i] !== undefined;
  }

  /** Sends `signal` (default SIGKILL) to server `i` and waits until the process is gone. */
  async kill(i: number, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    const child = this.children[i];
    if (!child) return this.exits[i];
    this.children[i] = undefined;
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    }).then(() => {
      live.delete(child);
    });
    this.exits[i] = exited;
    child.kill("SIGCONT"); // a paused process would not act on SIGTERM
    child.kill(signal);
    await exited;
  }

  /** SIGSTOP: the server keeps its sockets open but answers nothing — a "slow" server. */
  pause(i: number): void {
    this.children[i]?.kill("SIGSTOP");
  }

  /** SIGCONT after `pause`. */
  resume(i: number): void {
    this.children[i]?.kill("SIGCONT");
  }

  /** Starts server `i` again on the same port and directory (loading dump.rdb if one was saved). */
  async restart(i: number): Promise<void> {
    await this.kill(i);
    await this.launch(i);
  }

  /** Stops every server and removes their directories. Safe to call twice. */
  async stop(): Promise<void> {
    await Promise.all(this.servers.map((_, i) => this.kill(i)));
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * A port found free can be taken by another test process before redis-server binds it;
   * then the server moves to a new free port (only at start: a restart keeps its port).
   */
  private async launchOnSomePort(i: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.launch(i);
      } catch (error) {
        if (attempt === 3) throw error;
        const [port] = await freePorts(1, this.options.cluster === true);
        const dir = join(this.root, String(port));
        mkdirSync(dir);
        this.mutableServers[i] = { host: HOST, port: port!, address: `${HOST}:${port}`, dir, password: this.options.password };
      }
    }
  }

  private get mutableServers(): RedisServerInfo[] {
    return this.servers as RedisServerInfo[];
  }

  private async launch(i: number): Promise<void> {
    const server = this.servers[i]!;
    const args = [
      "--port", String(server.port),
      "--bind", HOST,
      "--save", "",
      "--appendonly", "no",
      "--dir", server.dir,
      "--logfile", join(server.dir, "redis.log"),
      ...(this.options.cluster
        ? ["--cluster-enabled", "yes", "--cluster-config-file", join(server.dir, `nodes-${server.port}.conf`)]
        : []),
      ...(this.options.password === undefined ? [] : ["--requirepass", this.options.password, "--masterauth", this.options.password]),
      ...(this.options.extraArgs ?? []),
    ];
    const child = this.options.cpus
      ? spawn("taskset", ["-c", this.options.cpus, "redis-server", ...args], { stdio: "ignore" })
      : spawn("redis-server", args, { stdio: "ignore" });
    const spawnError = new Promise<Error>((resolve) => child.once("error", resolve));
    this.children[i] = child;
    live.add(child);
    const ready = await Promise.race([waitForPong(server, 10_000), spawnError]);
    if (ready instanceof Error || ready === false) {
      await this.kill(i);
      const log = join(server.dir, "redis.log");
      const tail = existsSync(log) ? readFileSync(log, "utf8").split("\n").slice(-5).join("\n") : "";
      const why = ready instanceof Error ? ready.message : "no PONG within 10 s";
      throw new Error(`redis-server on ${server.address} did not start (${why}); ${START_HINT}\n${tail}`);
    }
  }

  private async joinCluster(): Promise<void> {
    const create = spawnSync(
      "redis-cli",
      [
        ...(this.options.password === undefined ? [] : ["-a", this.options.password, "--no-auth-warning"]),
        "--cluster", "create", ...this.servers.map((s) => s.address), "--cluster-replicas", "0", "--cluster-yes",
      ],
      { encoding: "utf8", timeout: 30_000 },
    );
    if (create.status !== 0) {
      throw new Error(`redis-cli --cluster create failed (${create.status}): ${create.stderr || create.stdout}`);
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await Promise.all(this.servers.map((s) => command(s, "CLUSTER INFO")));
      if (states.every((s) => s.includes("cluster_state:ok"))) return;
      if (Date.now() > deadline) throw new Error(`Redis Cluster on ${this.servers.map((s) => s.address).join(", ")} never reported cluster_state:ok`);
      await sleep(100);
    }
  }
}

/** Sends one inline command (after AUTH when the server has a password) and returns the raw reply text ("" on any error). */
export function command(server: RedisServerInfo, line: string, timeoutMs = 2_000): Promise<string> {
  const login = server.password === undefined ? "" : `AUTH ${server.password}\r\n`;
  return new Promise((resolve) => {
    const socket = new Socket();
    // The AUTH reply, "+OK", comes first; it is not part of the command's reply.
    let skip = login === "" ? 0 : "+OK\r\n".length;
    let reply = "";
    const done = (text: string) => {
      socket.destroy();
      resolve(text);
    };
    socket.setTimeout(timeoutMs, () => done(""));
    socket.once("error", () => done(""));
    socket.connect(server.port, server.host, () => socket.write(`${login}${line}\r\n`));
    socket.on("data", (chunk) => {
      reply += chunk.toString("utf8");
      if (skip > 0 && reply.length >= skip) {
        reply = reply.slice(skip);
        skip = 0;
      }
      if (skip > 0) return;
      // Enough for the simple and bulk replies the helpers ask for.
      if (isCompleteReply(reply)) done(reply);
    });
  });
}

function isCompleteReply(reply: string): boolean {
  if (reply.startsWith("$")) {
    const header = reply.indexOf("\r\n");
    if (header < 0) return false;
    const length = Number(reply.slice(1, header));
    return length < 0 || Buffer.byteLength(reply) >= header + 2 + length + 2;
  }
  return reply.endsWith("\r\n");
}

async function waitForPong(server: RedisServerInfo, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await command(server, "PING", 500)).startsWith("+PONG")) return true;
    await sleep(25);
  }
  return false;
}

/** Free loopback ports; for a cluster, the bus port (port + 10000) must be free as well. */
async function freePorts(count: number, withBus: boolean): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await listenOnce(0);
    if (ports.includes(port)) continue;
    if (withBus && (port + 10_000 > 65_535 || !(await canListen(port + 10_000)))) continue;
    ports.push(port);
  }
  return ports;
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(port, HOST, () => {
      const address = srv.address();
      const chosen = typeof address === "object" && address ? address.port : port;
      srv.close(() => resolve(chosen));
    });
  });
}

async function canListen(port: number): Promise<boolean> {
  try {
    await listenOnce(port);
    return true;
  } catch {
    return false;
  }
}

/** A port nothing listens on (for "server is down" tests). */
/**
 * A loopback port nothing listens on, for a server a test starts itself (often in a child
 * process, which binds it a while later). Taken below the kernel's ephemeral range (32768+), where
 * port 0 binds and outgoing connections of the other test files could land on it meanwhile, and
 * from a slice of its own per vitest worker, handed out in turn, so two files never pick the same.
 */
export async function unusedPort(): Promise<number> {
  for (let tries = 0; tries < PORT_SLICE; tries++) {
    const port = PORT_BASE + slice * PORT_SLICE + (nextInSlice++ % PORT_SLICE);
    if (await canListen(port)) return port;
  }
  return listenOnce(0);
}

/**
 * A base port for a launcher that numbers its ports from a base (`base + offset` for each offset):
 * every one of them free and inside this worker's slice, so no other test file is handed one.
 */
export async function unusedPortBase(offsets: readonly number[]): Promise<number> {
  const span = Math.max(...offsets);
  for (let tries = 0; tries < PORT_SLICE; tries++) {
    const start = nextInSlice++ % PORT_SLICE;
    if (start + span >= PORT_SLICE) continue;
    const base = PORT_BASE + slice * PORT_SLICE + start;
    if ((await Promise.all(offsets.map((o) => canListen(base + o)))).every(Boolean)) {
      nextInSlice = start + span + 1; // unusedPort() hands out none of them afterwards
      return base;
    }
  }
  throw new Error(`no free run of ports ${offsets.join(",")} above a base in this worker's slice`);
}

const PORT_BASE = 20_000;
const PORT_SLICE = 600;
// 21 slices fit below 32768; outside vitest (benches) a random one.
const slice = (Number(process.env["VITEST_POOL_ID"]) || Math.floor(Math.random() * 20) + 1) % 21;
let nextInSlice = 0;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
