// go-nano pattern routing: what routing by pattern costs over calling the same handler directly,
// and what the matcher costs with 10,000 registered patterns.
//
// 1. Lookup, 10,000 patterns: the trie (parse + walk) for queries that are a registered pattern,
//    that carry one plus extra pairs, and that match nothing; the same queries through the
//    RouteTable's query cache; and a linear scan of every pattern (what the trie replaces).
// 2. Calls, one at a time over kept-alive HTTP, to an instance process and a gateway process
//    (the gateway forwards to the instance): the Echo rpc direct (POST /rpc, JSON) against the
//    same rpc by its pattern on the instance (POST /, matched and served there) and through the
//    gateway (one more hop); and in-process, the JSON handler called as a function against
//    node.act() (parse, match, serve locally). Median of interleaved rounds.
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { PatternMatcher, PatternNode, RouteTable, parsePattern, type Pattern } from "../runtime/patterns/index.js";
import { StaticRegistry, type NodeAnnouncement } from "../runtime/registry/index.js";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const PATTERNS = 10_000;

// ---- 1. lookup ----
// Patterns of 1–4 pairs over a realistic spread of keys: role (100 values), cmd, version, region.
function patternText(i: number): string {
  const pairs = [`role:r${i % 100}`, `cmd:c${i}`];
  if (i % 3 === 0) pairs.push(`v:${i % 7}`);
  if (i % 5 === 0) pairs.push(`region:z${i % 11}`);
  return (i % 17 === 0 ? pairs.slice(0, 1) : pairs).join(",");
}
const texts = Array.from({ length: PATTERNS }, (_, i) => patternText(i));
const matcher = new PatternMatcher<number>();
texts.forEach((t, i) => matcher.set(parsePattern(t), i));
const parsedAll: Pattern[] = texts.map(parsePattern);
const queries = {
  "a registered pattern": Array.from({ length: 1000 }, (_, i) => texts[(i * 7919) % PATTERNS]!.split(",").reverse().join(",")),
  "a pattern + 3 extra pairs": Array.from({ length: 1000 }, (_, i) => `${texts[(i * 7919) % PATTERNS]},trace:t${i},user:u${i % 13},lang:en`),
  "no match": Array.from({ length: 1000 }, (_, i) => `role:nobody,cmd:c${i},lang:en`),
};

const table = new RouteTable();
const announced: NodeAnnouncement = { id: "n", replicaSet: "", edgeAddress: "127.0.0.1:1", tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns: texts, slots: "", slotEpoch: 0 };
table.load([announced]);

function linear(query: Pattern): number {
  const carried = new Set(query.pairs.map((p) => `${p.key}:${p.value}`));
  let best = -1;
  let size = 0;
  for (let i = 0; i < parsedAll.length; i++) {
    const p = parsedAll[i]!;
    if (p.pairs.length > size && p.pairs.every((x) => carried.has(`${x.key}:${x.value}`))) {
      best = i;
      size = p.pairs.length;
    }
  }
  return best;
}

let sink = 0;
// CPU time of this process, not wall time: on a shared machine the wall clock also counts the
// time other processes held the core, and a synchronous loop's cost is its CPU time.
function nsPerOp(qs: readonly string[], fn: (q: string) => unknown, reps: number): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.cpuUsage();
    for (let k = 0; k < reps; k++) for (const q of qs) sink += fn(q) === undefined ? 0 : 1;
    const used = process.cpuUsage(start);
    best = Math.min(best, ((used.user + used.system) * 1000) / (reps * qs.length));
  }
  return best;
}

console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(" ")}; ${PATTERNS} patterns registered; ns of CPU per lookup (parse included), best of ${ROUNDS}`);
console.log(`${"query".padEnd(28)} ${"trie".padStart(9)} ${"cached".padStart(9)} ${"linear".padStart(11)}`);
for (const [name, qs] of Object.entries(queries)) {
  const trie = nsPerOp(qs, (q) => matcher.match(parsePattern(q)), 20);
  const cached = nsPerOp(qs, (q) => table.lookup(q), 20);
  const scan = nsPerOp(qs.slice(0, 100), (q) => linear(parsePattern(q)), 1);
  console.log(`${name.padEnd(28)} ${trie.toFixed(0).padStart(9)} ${cached.toFixed(0).padStart(9)} ${scan.toFixed(0).padStart(11)}`);
}

// ---- 2. calls ----
const here = fileURLToPath(new URL(".", import.meta.url));
const children: ChildProcess[] = [];
function startNode(cfg: object): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", `${here}patterns-node.ts`, JSON.stringify(cfg)], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(p);
    p.stdout!.on("data", (d: Buffer) => {
      const m = /READY (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    p.on("exit", (code) => reject(new Error(`bench node exited ${code}`)));
  });
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function post(port: number, path: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, host: "127.0.0.1", port, path, method: "POST", headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`${path} answered ${res.statusCode}`))));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function usPerCall(call: () => Promise<unknown>, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await call();
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}

/** For calls that never leave this process: CPU time, for the same reason as nsPerOp. */
async function cpuNsPerCall(call: () => Promise<unknown>, n: number): Promise<number> {
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await call();
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  const instance = await startNode({ role: "instance" });
  const gateway = await startNode({ role: "gateway", instance: `127.0.0.1:${instance}`, patterns: ["cmd:say,role:echo", "cmd:positive,role:math"] });
  const input = { intValue: "42", boolValue: true, text: "hello" };
  const rows: [string, () => Promise<unknown>][] = [
    ["Echo.Say direct (POST /rpc)", () => post(instance, "/rpc", JSON.stringify({ requestId: 1, method: "examples.echo.Echo.Say", input }))],
    ["by pattern on the instance", () => post(instance, "/", JSON.stringify({ Pattern: "role:echo,cmd:say", ...input }))],
    ["by pattern via the gateway", () => post(gateway, "/", JSON.stringify({ Pattern: "role:echo,cmd:say", ...input }))],
  ];
  const N = 1_000;
  for (const [, call] of rows) await usPerCall(call, 300); // warm up
  const results = rows.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < rows.length; i++) results[i]!.push(await usPerCall(rows[i]![1], N));
  const direct = median(results[0]!);
  console.log(`\nHTTP calls one at a time, µs per call (wall clock, load average ${loadavg()[0]!.toFixed(1)}), median of ${ROUNDS} interleaved rounds of ${N}`);
  rows.forEach(([name], i) => console.log(`${name.padEnd(30)} ${median(results[i]!).toFixed(1).padStart(8)}   ×${(median(results[i]!) / direct).toFixed(2)}`));

  // In-process: the same JSON handler as a function, and through act() (served locally).
  const handler = async (m: Record<string, unknown>) => ({ positive: typeof m["Value"] === "number" && m["Value"] > 0 });
  const node = new PatternNode({ id: "local", registry: new StaticRegistry() });
  node.handle("role:math,cmd:positive", handler);
  await node.start("127.0.0.1:1");
  const local: [string, () => Promise<unknown>][] = [
    ["handler called directly", () => handler({ Pattern: "role:math,cmd:positive", Value: 1 })],
    ["node.act (match + serve)", () => node.act("role:math,cmd:positive", { Value: 1 })],
  ];
  const inproc = local.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < local.length; i++) inproc[i]!.push(await cpuNsPerCall(local[i]![1], 100_000));
  console.log(`\nin process, ns of CPU per call, median of ${ROUNDS} rounds of 100,000`);
  local.forEach(([name], i) => console.log(`${name.padEnd(30)} ${median(inproc[i]!).toFixed(0).padStart(8)}`));
} finally {
  for (const c of children) c.kill("SIGKILL");
  agent.destroy();
}
if (sink < 0) console.log(sink);
