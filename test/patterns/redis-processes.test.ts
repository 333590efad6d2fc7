// Pattern routing across processes on a real Redis registry: instances in their own processes,
// a gateway here. Register, match, most specific wins, load shared, caches invalidated, an
// instance SIGKILLed drops out while calls move, curl answered, and Redis itself going down.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EchoClient } from "../../generated/examples/echo.rony.js";
import { EdgeServer } from "../../runtime/index.js";
import { PatternNode } from "../../runtime/patterns/index.js";
import { RedisRegistry, type RegistryError } from "../../runtime/registry/index.js";
import { RedisFleet, sleep } from "../support/redis-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry = fileURLToPath(new URL("./instance-process.ts", import.meta.url));
const TTL = 600;
const REFRESH = 200;
const prefix = `test-patterns-${process.pid}`;

let fleet: RedisFleet;
let gateway: EdgeServer;
let node: PatternNode;
let registry: RedisRegistry;
let url = "";
const registryErrors: RegistryError[] = [];
const children = new Map<string, ChildProcess>();

function startInstance(id: string, patterns: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const cfg = { redisPort: fleet.servers[0]!.port, prefix, id, ttlMs: TTL, patterns };
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", entry, JSON.stringify(cfg)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    children.set(id, p);
    let err = "";
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.stdout!.on("data", (d: Buffer) => {
      const m = /READY (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    p.on("exit", (code) => reject(new Error(`instance ${id} exited ${code}: ${err}`)));
  });
}

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}

const post = async (body: object) => {
  const res = await fetch(`${url}/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const instancesOf = (pattern: string) => node.routes.instances(pattern).map((i) => i.nodeId).sort();

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 1 });
  registry = new RedisRegistry({ redis: fleet.servers[0]!, prefix, ttlMs: TTL, refreshMs: REFRESH });
  registry.onError = (e) => registryErrors.push(e);
  gateway = new EdgeServer({ host: "127.0.0.1" });
  node = new PatternNode({ id: "gateway", registry, server: gateway });
  const port = await gateway.listen(0);
  url = `http://127.0.0.1:${port}`;
  await node.start(); // no address, nothing of its own: a gateway
  await Promise.all([startInstance("a", ["role:math,cmd:positive"]), startInstance("b", ["role:math,cmd:positive", "role:math,cmd:positive,sign:strict"])]);
  await until("a and b registered", () => instancesOf("cmd:positive,role:math").length === 2 && instancesOf("cmd:positive,role:math,sign:strict").length === 1);
}, 90_000);

afterAll(async () => {
  for (const c of children.values()) c.kill("SIGKILL");
  await gateway?.shutdown();
  await node?.stop();
  await registry?.close().catch(() => undefined);
  await fleet?.stop();
});

describe("pattern routing across processes on Redis", () => {
  it("answers go-nano's curl through the gateway", async () => {
    const { stdout } = await promisify(execFile)("curl", ["-s", "-X", "POST", `${url}/`, "-d", '{"Pattern":"role:math,cmd:positive","Value":1}']);
    expect(JSON.parse(stdout)).toMatchObject({ pattern: "cmd:positive,role:math", positive: true });
  });

  it("the most specific registered pattern wins", async () => {
    expect((await post({ Pattern: "role:math,sign:strict,cmd:positive", Value: 1 })).body).toMatchObject({ by: "b", pattern: "cmd:positive,role:math,sign:strict" });
    expect((await post({ Pattern: "role:math,sign:lax,cmd:positive", Value: 1 })).body).toMatchObject({ pattern: "cmd:positive,role:math" });
  });

  it("shares the load across instances of one pattern", async () => {
    const by = await Promise.all(Array.from({ length: 20 }, () => post({ Pattern: "role:math,cmd:positive", Value: 1 }).then((r) => r.body["by"])));
    expect(by.filter((x) => x === "a")).toHaveLength(10);
    expect(by.filter((x) => x === "b")).toHaveLength(10);
  });

  it("a new registration invalidates the caches: a cached query moves to the more specific newcomer", async () => {
    const query = { Pattern: "role:math,cmd:positive,level:2", Value: 1 };
    expect((await post(query)).body["pattern"]).toBe("cmd:positive,role:math"); // now cached
    await startInstance("c", ["role:math,cmd:positive,level:2"]);
    await until("c registered", () => instancesOf("cmd:positive,level:2,role:math").length === 1);
    expect((await post(query)).body).toMatchObject({ by: "c", pattern: "cmd:positive,level:2,role:math" });
  }, 30_000);

  it("an instance SIGKILLed: calls move to the live one at once, and it leaves the view within ttl + refresh", async () => {
    let leftAt = 0;
    const unwatch = registry.watch((c) => {
      if (c.id === "a" && c.after === undefined) leftAt = Date.now();
    });
    children.get("a")!.kill("SIGKILL");
    const killedAt = Date.now();
    const by: unknown[] = [];
    while (instancesOf("cmd:positive,role:math").includes("a")) {
      const reply = await post({ Pattern: "role:math,cmd:positive", Value: 1 });
      expect(reply.status).toBe(200);
      by.push(reply.body["by"]);
    }
    unwatch();
    // The bound counts from the last heartbeat, which came before the kill; 300 ms is for timers late on a loaded machine.
    expect(leftAt).toBeGreaterThan(0);
    expect(leftAt - killedAt).toBeLessThanOrEqual(registry.deadNodeBoundMs + 300);
    expect(by.length).toBeGreaterThan(0);
    expect(new Set(by)).toEqual(new Set(["b"]));
  });

  it("typed calls by schema pattern reach an instance's Echo rpc", async () => {
    const reply = await new EchoClient(node).say({ intValue: 1n, boolValue: true, text: "typed" });
    expect(reply.text).toMatch(/^(b|c):typed$/);
  });

  it("Redis down: typed registry errors, and calls to the cached live instances keep working", async () => {
    await fleet.kill(0);
    await until("an UNAVAILABLE report", () => registryErrors.some((e) => e.code === "UNAVAILABLE"), 5_000);
    await sleep(TTL + REFRESH); // past every TTL: nothing may have dropped from the cached view
    for (let i = 0; i < 6; i++) {
      expect((await post({ Pattern: "role:math,cmd:positive,sign:strict", Value: 1 })).body).toMatchObject({ by: "b" });
      expect((await post({ Pattern: "role:math,cmd:positive", Value: -1 })).body).toMatchObject({ by: "b", positive: false });
    }
  });
});
