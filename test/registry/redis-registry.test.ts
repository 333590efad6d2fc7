// The Redis registry against a real redis-server of its own: announcements seen through pub/sub,
// a SIGKILLed announcer leaving every view within the configured bound, refused entries, Redis down.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisRegistry, RegistryError, encodeEntry, type NodeAnnouncement, type RegistryChange } from "../../runtime/registry/index.js";
import { RedisFleet, command, sleep, unusedPort } from "../support/redis-server.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const announcer = fileURLToPath(new URL("./announcer-process.ts", import.meta.url));
const TTL = 600;
const REFRESH = 200;

let fleet: RedisFleet;
const open: RedisRegistry[] = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 1 });
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  await Promise.all(open.map((r) => r.close().catch(() => undefined)));
  await fleet.stop();
});

let prefixes = 0;
function registry(prefix: string, secret?: string): RedisRegistry {
  const r = new RedisRegistry({ redis: fleet.servers[0]!, prefix, ttlMs: TTL, refreshMs: REFRESH, secret });
  r.onError = () => undefined;
  open.push(r);
  return r;
}

const node = (id: string, port: number, patterns: string[] = []): NodeAnnouncement => ({
  id,
  replicaSet: "",
  edgeAddress: `127.0.0.1:${port}`,
  tunnelAddress: "",
  role: "standalone",
  leaderTerm: 0,
  patterns,
  slots: "",
  slotEpoch: 0,
});

async function until(what: string, ok: () => boolean, ms = 5_000): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return Date.now() - start;
}

function startAnnouncer(prefix: string, n: NodeAnnouncement): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", announcer, JSON.stringify({ redisPort: fleet.servers[0]!.port, prefix, ttlMs: TTL, node: n })], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(p);
    let err = "";
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.stdout!.on("data", (d: Buffer) => d.toString().includes("READY") && resolve(p));
    p.on("exit", (code) => reject(new Error(`announcer exited ${code}: ${err}`)));
  });
}

describe("RedisRegistry", () => {
  it("pushes announcements, updates and withdrawals to other registries", async () => {
    const prefix = `test-registry-${process.pid}-${prefixes++}`;
    const [a, b] = [registry(prefix), registry(prefix)];
    await Promise.all([a.start(), b.start()]);
    const changes: RegistryChange[] = [];
    b.watch((c) => changes.push(c));
    await a.announce(node("n1", 1001, ["cmd:sum,role:math"]));
    await until("n1 in b's view", () => b.nodes().has("n1"), 150); // pub/sub, not the 200 ms refresh
    await a.announce({ ...node("n1", 1001, ["cmd:sum,role:math"]), role: "leader", leaderTerm: 2 });
    await until("n1's update", () => b.nodes().get("n1")?.leaderTerm === 2, 150);
    await sleep(TTL); // heartbeats and refreshes of an unchanged entry are silent
    await a.withdraw("n1");
    await until("n1 gone", () => !b.nodes().has("n1"), 150);
    expect(changes.map((c) => [c.id, c.before?.leaderTerm, c.after?.leaderTerm])).toEqual([
      ["n1", undefined, 0],
      ["n1", 0, 2],
      ["n1", 2, undefined],
    ]);
  });

  it("a SIGKILLed announcer leaves the view within ttlMs + refreshMs", async () => {
    const prefix = `test-registry-${process.pid}-${prefixes++}`;
    const b = registry(prefix);
    await b.start();
    const child = await startAnnouncer(prefix, node("doomed", 1002));
    await until("doomed in view", () => b.nodes().has("doomed"), 1_000);
    await sleep(TTL * 2); // its heartbeats keep it there past one TTL
    expect(b.nodes().has("doomed")).toBe(true);
    let leftAt = 0;
    b.watch((c) => {
      if (c.id === "doomed" && c.after === undefined) leftAt = Date.now();
    });
    child.kill("SIGKILL");
    const killedAt = Date.now();
    await until("doomed gone", () => !b.nodes().has("doomed"), 5_000);
    // The bound counts from the last heartbeat, which came before the kill; 300 ms is for timers late on a loaded machine.
    expect(leftAt).toBeGreaterThan(0);
    expect(leftAt - killedAt).toBeLessThanOrEqual(b.deadNodeBoundMs + 300);
    expect(await command(fleet.servers[0]!, `SISMEMBER ${prefix}:nodes doomed`)).toContain("0"); // the index is cleaned too
  });

  it("refuses malformed and forged entries with typed errors and keeps serving the rest", async () => {
    const prefix = `test-registry-${process.pid}-${prefixes++}`;
    const secret = "cluster-secret";
    const [a, b] = [registry(prefix, secret), registry(prefix, secret)];
    const errors: RegistryError[] = [];
    b.onError = (e) => errors.push(e);
    await Promise.all([a.start(), b.start()]);
    await a.announce(node("good", 1003));
    const server = fleet.servers[0]!;
    const put = async (id: string, text: string) => {
      const quoted = JSON.stringify(text);
      await command(server, `SET ${prefix}:node:${id} ${quoted}`);
      await command(server, `SADD ${prefix}:nodes ${id}`);
      await command(server, `PUBLISH ${prefix}:changes ${id}`);
    };
    await put("garbage", "{not json");
    await put("forged", encodeEntry(node("forged", 6666, ["role:math"]))); // unsigned
    await put("stolen", encodeEntry(node("stolen", 6667), "wrong-secret"));
    await until("three refusals", () => errors.length >= 3, 2_000);
    expect(errors.slice(0, 3).map((e) => [e.code, e.subject])).toEqual([
      ["MALFORMED_ENTRY", "garbage"],
      ["FORGED_ENTRY", "forged"],
      ["FORGED_ENTRY", "stolen"],
    ]);
    await b.refresh(); // the full re-read refuses them the same way
    expect([...b.nodes().keys()]).toEqual(["good"]);
  });

  it("cannot start without Redis: a typed UNAVAILABLE naming the address", async () => {
    const port = await unusedPort();
    const r = new RedisRegistry({ redis: { host: "127.0.0.1", port }, prefix: "never" });
    const error = await r.start().then(() => undefined, (e: unknown) => e);
    expect(RegistryError.is(error, "UNAVAILABLE")).toBe(true);
    expect((error as RegistryError).message).toContain(`127.0.0.1:${port}`);
  });

  it("while Redis is down: typed errors, the view is kept; when it returns, heartbeats restore the entries", async () => {
    const prefix = `test-registry-${process.pid}-${prefixes++}`;
    const [a, b] = [registry(prefix), registry(prefix)];
    const errors: RegistryError[] = [];
    b.onError = (e) => errors.push(e);
    await Promise.all([a.start(), b.start()]);
    await a.announce(node("survivor", 1004));
    await until("survivor in view", () => b.nodes().has("survivor"));
    await fleet.kill(0);
    await expect(b.refresh()).rejects.toThrow();
    await until("an UNAVAILABLE report", () => errors.some((e) => e.code === "UNAVAILABLE"), 3_000);
    await sleep(TTL + REFRESH);
    expect(b.nodes().has("survivor")).toBe(true);
    await fleet.restart(0); // an empty Redis: the entries come back with the next heartbeat
    const c = registry(prefix);
    await c.start();
    await until("survivor seen by a new reader", () => c.nodes().has("survivor"), 3_000);
    // a and b subscribed to changes again after the reconnect (c made the third subscriber).
    let subscribers = 0;
    for (let i = 0; i < 100 && subscribers < 3; i++) {
      subscribers = Number(/:(\d+)\r\n$/.exec(await command(fleet.servers[0]!, `PUBSUB NUMSUB ${prefix}:changes`))?.[1] ?? 0);
      if (subscribers < 3) await sleep(50);
    }
    expect(subscribers).toBe(3);
  });
});
