// KvAgent against a real edge server running the examples.kv service on a memory store: put,
// get, lazy get, subscribe, scopes, puts queued while disconnected, a server restart during a
// subscription, another agent's change delivered, a throwing subscriber.
import { afterEach, describe, expect, it } from "vitest";
import { EdgeServer, MemoryStore } from "rony-ts/runtime";
import { KvAgent, WebSocketTransport, type KvUpdate } from "rony-ts/runtime/client";
import { KvEntryRepository } from "../../generated/examples/kv.models.js";
import { KvClient, registerKv } from "../../generated/examples/kv.rony.js";
import { KvService } from "../../demo/kv-service.js";
import { freePort, start, until } from "./harness.js";

const text = new TextEncoder();
const str = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));
const closers: (() => void)[] = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

async function kvServer(store: MemoryStore, port = 0) {
  const service = new KvService(new KvEntryRepository(store));
  const server = new EdgeServer({ host: "127.0.0.1", limits: { shutdownTimeoutMs: 500 } });
  registerKv(server, service);
  const started = await start(server, port);
  return { ...started, service };
}

function agent(wsUrl: string, errors: unknown[] = []): { agent: KvAgent; transport: WebSocketTransport } {
  const transport = new WebSocketTransport(wsUrl, { reconnect: { initialMs: 20, maxMs: 100, factor: 2, jitter: 0 } });
  const a = new KvAgent(new KvClient(transport), transport, { onCallbackError: (e) => errors.push(e), retryMs: 20 });
  closers.push(() => a.close(), () => transport.close());
  return { agent: a, transport };
}

const shown = (us: KvUpdate[]) => us.map((u) => `${u.scope}/${u.key}:${str(u.previous) ?? "-"}>${str(u.value) ?? "-"}`);

describe("KvAgent", () => {
  it("puts and gets, per scope", async () => {
    const { wsUrl } = await kvServer(new MemoryStore("kv"));
    const { agent: a } = agent(wsUrl);
    const users = a.scope("users");
    const teams = a.scope("teams");
    expect((await users.put("ann", text.encode("admin"))).version).toBe(1n);
    expect((await users.put("ann", text.encode("owner"))).version).toBe(2n);
    await teams.put("ann", text.encode("a team"));
    expect(str(await users.get("ann"))).toBe("owner");
    expect(str(await teams.get("ann"))).toBe("a team");
    expect(await users.get("bob")).toBeNull();
  });

  it("subscribes to a key and to a scope, and delivers another agent's change", async () => {
    const { wsUrl } = await kvServer(new MemoryStore("kv"));
    const { agent: mine } = agent(wsUrl);
    const { agent: theirs } = agent(wsUrl);
    await theirs.put("cfg", "color", text.encode("red"));
    const byKey: KvUpdate[] = [];
    const byScope: KvUpdate[] = [];
    mine.subscribe("cfg", "color", (u) => byKey.push(u));
    mine.subscribe("cfg", undefined, (u) => byScope.push(u));
    await until(() => byKey.length === 1 && byScope.length === 1);
    await theirs.put("cfg", "color", text.encode("blue"));
    await theirs.put("cfg", "size", text.encode("xl"));
    await until(() => byKey.length === 2 && byScope.length === 3);
    expect(shown(byKey)).toEqual(["cfg/color:->red", "cfg/color:red>blue"]);
    expect(shown(byScope)).toEqual(["cfg/color:->red", "cfg/color:red>blue", "cfg/size:->xl"]);
  });

  it("answers a lazy get from the subscription: one watch, no Get query, and it stays current", async () => {
    const { wsUrl, service } = await kvServer(new MemoryStore("kv"));
    const { agent: a } = agent(wsUrl);
    const { agent: other } = agent(wsUrl);
    await other.put("s", "k", text.encode("v1"));
    expect(str(await a.lazyGet("s", "k"))).toBe("v1");
    const told: string[] = [];
    a.subscribe("s", "k", (u) => told.push(str(u.value) ?? "-"));
    await other.put("s", "k", text.encode("v2"));
    await until(() => told.includes("v2"));
    expect(str(await a.lazyGet("s", "k"))).toBe("v2");
    expect(await a.lazyGet("s", "missing")).toBeNull();
    expect(service.gets).toBe(0);
  });

  it("keeps a subscription going when its callback throws", async () => {
    const { wsUrl } = await kvServer(new MemoryStore("kv"));
    const errors: unknown[] = [];
    const { agent: a } = agent(wsUrl, errors);
    const seen: string[] = [];
    a.subscribe("s", "k", (u) => {
      seen.push(str(u.value) ?? "-");
      throw new Error("subscriber bug");
    });
    await until(() => seen.length === 1);
    await a.put("s", "k", text.encode("one"));
    await a.put("s", "k", text.encode("two"));
    await until(() => seen.length === 3);
    expect(seen).toEqual(["-", "one", "two"]);
    expect(errors.length).toBe(3);
  });

  it("queues puts while disconnected and resumes subscriptions across a server restart", async () => {
    const store = new MemoryStore("kv"); // the data outlives the server process, as a database would
    const port = await freePort();
    const first = await kvServer(store, port);
    const { agent: mine, transport } = agent(first.wsUrl);
    const { agent: theirs } = agent(first.wsUrl);
    await theirs.put("s", "k", text.encode("before"));
    const got: KvUpdate[] = [];
    mine.subscribe("s", "k", (u) => got.push(u));
    await until(() => got.length === 1);

    await first.server.shutdown();
    await until(() => transport.state !== "open");
    // Both agents write while the server is down: the puts wait in their queues.
    const mineQueued = mine.put("s", "mine", text.encode("queued"));
    const theirsQueued = theirs.put("s", "k", text.encode("during the restart"));
    expect(mine.queuedPuts).toBe(1);

    await kvServer(store, port);
    expect((await mineQueued).version).toBe(1n);
    expect((await theirsQueued).version).toBe(2n);
    await until(() => got.length === 2, 10_000);
    // Re-subscribed: only the change made while away is told, with the value this agent held.
    expect(shown(got)).toEqual(["s/k:->before", "s/k:before>during the restart"]);
    await theirs.put("s", "k", text.encode("after"));
    await until(() => got.length === 3);
    expect(shown(got).at(-1)).toBe("s/k:during the restart>after");
  }, 30_000);
});
