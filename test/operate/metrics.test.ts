// /metrics on a live edge: parsed with a Prometheus text-format parser, counters and histograms
// moving with real calls over WebSocket and HTTP, connections and in-flight read at scrape time,
// Raft indexes from a real RaftNode, redis_ha replica health from real redis-servers.
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import { afterEach, describe, expect, it } from "vitest";
import { demoServer } from "../../demo/server.js";
import { EchoClient, registerEcho } from "../../generated/examples/echo.rony.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";
import { WebSocketTransport } from "../../runtime/client/index.js";
import { EdgeServer } from "../../runtime/index.js";
import { EdgeMetrics } from "../../runtime/operate/index.js";
import { startCluster } from "../../runtime/raft/node/test-cluster.js";
import { RedisHa } from "../../runtime/redis/index.js";
import { ErrorCode, RonyError } from "../../runtime/rpc/index.js";
import { RedisFleet } from "../support/redis-server.js";

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function scrapeText(base: string): Promise<string> {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

async function scrape(base: string): Promise<MetricFamily[]> {
  return parsePrometheusTextFormat(await scrapeText(base));
}

function family(families: MetricFamily[], name: string): MetricFamily {
  const f = families.find((x) => x.name === name);
  if (f === undefined) throw new Error(`no metric ${name} in ${families.map((x) => x.name).join(", ")}`);
  return f;
}

/** The value of the sample whose labels include `labels` (0 when there is none yet). */
function value(families: MetricFamily[], name: string, labels: Record<string, string> = {}): number {
  const sample = family(families, name).metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  return Number(sample?.value ?? sample?.count ?? 0);
}

async function startDemo(): Promise<{ base: string; ws: string; metrics: EdgeMetrics }> {
  const server = demoServer({ host: "127.0.0.1" });
  const metrics = new EdgeMetrics().attach(server);
  const port = await server.listen(0);
  cleanup.push(() => server.shutdown());
  return { base: `http://127.0.0.1:${port}`, ws: `ws://127.0.0.1:${port}/ws`, metrics };
}

describe("/metrics on the edge", () => {
  it("counts calls by method and code, times them, and reports connections and calls in flight", async () => {
    const { base, ws } = await startDemo();
    const before = await scrape(base);
    expect(family(before, "rony_calls_total").type).toBe("COUNTER");
    expect(family(before, "rony_call_duration_seconds").type).toBe("HISTOGRAM");
    expect(value(before, "rony_connections")).toBe(0);

    const transport = new WebSocketTransport(ws, { reconnect: false });
    cleanup.push(() => transport.close());
    const echo = new EchoClient(transport);
    for (let i = 0; i < 5; i++) await echo.say({ intValue: BigInt(i), boolValue: false, text: "m" });
    await fetch(`${base}/echo`, { method: "POST", body: '{"text":"over http"}' });
    const missing = await new NotesClient(transport).get({ notebook: "none", id: 9n }).catch((e: unknown) => e);
    expect(RonyError.is(missing, ErrorCode.NOT_FOUND)).toBe(true);

    const text = await scrapeText(base);
    const after = parsePrometheusTextFormat(text);
    expect(value(after, "rony_calls_total", { method: "examples.echo.Echo.Say", code: "OK" })).toBe(6);
    expect(value(after, "rony_calls_total", { method: "examples.notes.Notes.Get", code: "NOT_FOUND" })).toBe(1);
    // The parser folds a histogram's label sets into one (it keeps only unlabelled _count/_sum),
    // so the per-method series are read from the exposition lines themselves.
    expect(family(after, "rony_call_duration_seconds").type).toBe("HISTOGRAM");
    expect(text).toContain('rony_call_duration_seconds_count{method="examples.echo.Echo.Say"} 6\n');
    expect(text).toContain('rony_call_duration_seconds_bucket{le="+Inf",method="examples.echo.Echo.Say"} 6\n');
    expect(Number(/rony_call_duration_seconds_sum\{method="examples\.echo\.Echo\.Say"\} (\S+)/.exec(text)?.[1])).toBeGreaterThan(0);
    expect(value(after, "rony_connections")).toBe(1);
    expect(value(after, "rony_calls_in_flight")).toBe(0);

    // Counters keep moving with calls.
    await echo.say({ intValue: 1n, boolValue: true, text: "again" });
    expect(value(await scrape(base), "rony_calls_total", { method: "examples.echo.Echo.Say", code: "OK" })).toBe(7);
  });

  it("costs nothing until attached: the routes stay middleware-free; attached, in-flight calls show at scrape time", async () => {
    const server = new EdgeServer({ host: "127.0.0.1" });
    let release: () => void = () => {};
    const held = new Promise<void>((r) => (release = r));
    registerEcho(server, {
      async say(input) {
        await held;
        return { ...input, serverTime: 0n };
      },
      async ping() {
        return { nodeId: "n1" };
      },
    });
    const routes = () => [...server.dispatcher.routes()];
    expect(routes().every((r) => server.dispatcher.isPlain(r))).toBe(true);
    new EdgeMetrics().attach(server);
    expect(routes().some((r) => server.dispatcher.isPlain(r))).toBe(false);
    const port = await server.listen(0);
    cleanup.push(() => server.shutdown());
    const base = `http://127.0.0.1:${port}`;
    const pending = [1, 2].map(() => fetch(`${base}/echo`, { method: "POST", body: '{"text":"slow"}' }));
    for (let i = 0; i < 200 && server.inFlight < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(value(await scrape(base), "rony_calls_in_flight")).toBe(2);
    release();
    await Promise.all(pending);
    expect(value(await scrape(base), "rony_calls_in_flight")).toBe(0);
  });

  it("reports a RaftNode's term, role, commit and applied indexes", async () => {
    const cluster = await startCluster(1);
    cleanup.push(() => cluster.stopAll());
    const node = cluster.nodes.get(1)!;
    for (let i = 0; i < 200 && !node.raft.isLeader(); i++) await new Promise((r) => setTimeout(r, 10));
    for (let i = 0; i < 3; i++) await node.put("metrics", i + 1, `k${i}`, "v");
    const { base, metrics } = await startDemo();
    metrics.watchRaft(node.raft);
    const families = await scrape(base);
    const status = node.raft.status();
    expect(value(families, "rony_raft_term", { node: "1" })).toBe(status.term);
    expect(value(families, "rony_raft_commit_index", { node: "1" })).toBe(status.commitIndex);
    expect(value(families, "rony_raft_applied_index", { node: "1" })).toBe(status.appliedIndex);
    expect(status.appliedIndex).toBeGreaterThanOrEqual(3);
    expect(value(families, "rony_raft_role", { node: "1", role: "leader" })).toBe(1);
    expect(value(families, "rony_raft_role", { node: "1", role: "follower" })).toBe(0);
  });

  it("reports redis_ha replica health, and a killed replica as down", async () => {
    const fleet = await RedisFleet.start({ count: 3 });
    cleanup.push(() => fleet.stop());
    const ha = await RedisHa.connect({ name: "cache", replicas: fleet.servers.map((s) => ({ host: s.host, port: s.port })) });
    cleanup.push(() => ha.quit());
    const { base, metrics } = await startDemo();
    metrics.watchRedisHa(ha);
    const up = (families: MetricFamily[], i: number) => value(families, "rony_redis_replica_up", { connection: "cache", replica: ha.status()[i]!.address });
    const all = await scrape(base);
    expect([0, 1, 2].map((i) => up(all, i))).toEqual([1, 1, 1]);
    await fleet.kill(1);
    for (let i = 0; i < 200 && ha.status()[1]!.up; i++) await new Promise((r) => setTimeout(r, 10));
    const later = await scrape(base);
    expect([0, 1, 2].map((i) => up(later, i))).toEqual([1, 0, 1]);
  });
});
