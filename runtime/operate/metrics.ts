// Prometheus metrics for an edge server, on prom-client. Nothing is measured until `attach`:
// the calls are timed by a middleware (a server without it keeps its plain, middleware-free
// path), and connections, calls in flight, Raft indexes and Redis replica health are read
// when /metrics is scraped, not kept up to date per call.
import { Gauge, Registry } from "prom-client";
import type { HttpRequest, HttpResponse } from "uWebSockets.js";
import type { EdgeServer, Middleware } from "../edge/index.js";
import type { RaftNode } from "../raft/node/raft-node.js";
import type { RedisHa } from "../redis/ha/redis-ha.js";
import { CallCounter, LatencyHistogram, StatsByMethod } from "./call-stats.js";

export interface EdgeMetricsOptions {
  /** Prefix of every metric name; default "rony_". */
  prefix?: string;
  /** Latency histogram buckets in seconds; default 50 µs … 5 s. */
  buckets?: readonly number[];
  /** Registry to register in (to share one with other metrics); default a new one. */
  registry?: Registry;
}

const defaultBuckets = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

const roles = ["leader", "follower", "candidate", "pre-candidate"] as const;

export class EdgeMetrics {
  readonly registry: Registry;
  readonly #servers: EdgeServer<never>[] = [];
  readonly #raftNodes: RaftNode[] = [];
  readonly #redisHa: RedisHa[] = [];
  /** The middleware that counts and times calls; `attach` installs it. */
  readonly middleware: Middleware<unknown>;

  constructor(options: EdgeMetricsOptions = {}) {
    const p = options.prefix ?? "rony_";
    const registers = [(this.registry = options.registry ?? new Registry())];
    const bounds = [...(options.buckets ?? defaultBuckets)].sort((a, b) => a - b);
    const stats = new StatsByMethod(bounds);
    new CallCounter(`${p}calls_total`, this.registry, () => stats.values());
    new LatencyHistogram(`${p}call_duration_seconds`, this.registry, bounds, () => stats.values());
    const servers = this.#servers;
    new Gauge({ name: `${p}connections`, help: "Open WebSocket connections.", registers, collect() { this.set(sum(servers, (s) => s.connections.size)); } });
    new Gauge({ name: `${p}calls_in_flight`, help: "Calls in flight across the WebSocket and HTTP gateways.", registers, collect() { this.set(sum(servers, (s) => s.inFlight)); } });
    this.#raftGauges(p, registers);
    this.#redisGauges(p, registers);

    // The start time rides on the context (a WeakMap entry per call cost more than the rest of the metrics).
    this.middleware = {
      name: "metrics",
      before(ctx) {
        ctx.startedAt = performance.now();
      },
      after(ctx) {
        const t0 = ctx.startedAt || performance.now();
        stats.of(ctx.method).record(ctx.error?.code, (performance.now() - t0) / 1000);
      },
    };
  }

  /** Counts and times the server's calls, reports its connections and calls in flight, and serves `path`. */
  attach<Auth>(server: EdgeServer<Auth>, path = "/metrics"): this {
    server.use(this.middleware as Middleware<Auth>);
    this.#servers.push(server as unknown as EdgeServer<never>);
    server.get(path, (res, req) => this.#serve(res, req));
    return this;
  }

  /** Reports the node's term, role, commit, applied and last indexes. */
  watchRaft(node: RaftNode): this {
    this.#raftNodes.push(node);
    return this;
  }

  /** Reports whether each replica of a redis_ha connection is up. */
  watchRedisHa(ha: RedisHa): this {
    this.#redisHa.push(ha);
    return this;
  }

  /** The exposition text, as /metrics serves it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  #serve(res: HttpResponse, _req: HttpRequest): void {
    let aborted = false;
    res.onAborted(() => {
      aborted = true;
    });
    void this.registry.metrics().then(
      (body) => {
        if (!aborted) res.cork(() => res.writeHeader("content-type", this.registry.contentType).end(body));
      },
      (e: unknown) => {
        if (!aborted) res.cork(() => res.writeStatus("500 Internal Server Error").end(String(e)));
      },
    );
  }

  #raftGauges(p: string, registers: Registry[]): void {
    const nodes = this.#raftNodes;
    const perNode = (name: string, help: string, read: (s: ReturnType<RaftNode["status"]>) => number) =>
      new Gauge({
        name: `${p}raft_${name}`,
        help,
        labelNames: ["node"],
        registers,
        collect() {
          for (const n of nodes) {
            const s = n.status();
            this.set({ node: String(s.id) }, read(s));
          }
        },
      });
    perNode("term", "Current Raft term.", (s) => s.term);
    perNode("commit_index", "Highest log index known committed.", (s) => s.commitIndex);
    perNode("applied_index", "Highest log index applied to the state machine.", (s) => s.appliedIndex);
    perNode("last_index", "Last index in the log.", (s) => s.lastIndex);
    new Gauge({
      name: `${p}raft_role`,
      help: "1 for the node's current Raft role, 0 for the others.",
      labelNames: ["node", "role"],
      registers,
      collect() {
        for (const n of nodes) {
          const s = n.status();
          for (const role of roles) this.set({ node: String(s.id), role }, s.role === role ? 1 : 0);
        }
      },
    });
  }

  #redisGauges(p: string, registers: Registry[]): void {
    const connections = this.#redisHa;
    new Gauge({
      name: `${p}redis_replica_up`,
      help: "1 while a redis_ha replica answers, 0 while it is down or backing off.",
      labelNames: ["connection", "replica"],
      registers,
      collect() {
        for (const ha of connections) for (const r of ha.status()) this.set({ connection: ha.name, replica: r.address }, r.up ? 1 : 0);
      },
    });
  }
}

function sum<T>(items: readonly T[], f: (item: T) => number): number {
  let total = 0;
  for (const item of items) total += f(item);
  return total;
}
