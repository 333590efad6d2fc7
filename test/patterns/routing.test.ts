// Pattern routing in one process over a shared StaticRegistry: two instances and a gateway on
// real edge servers, called by go-nano-style HTTP, WebSocket text frames, clients and code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EchoClient, registerEcho } from "../../generated/examples/echo.rony.js";
import { EdgeServer, ErrorCode } from "../../runtime/index.js";
import { HttpTransport, WebSocketTransport, patternTransport } from "../../runtime/client/index.js";
import { PatternError, PatternNode } from "../../runtime/patterns/index.js";
import { StaticRegistry } from "../../runtime/registry/index.js";
import { unusedPort } from "../support/redis-server.js";

const registry = new StaticRegistry();
const servers: EdgeServer[] = [];
const nodes: Record<string, PatternNode> = {};
const ports: Record<string, number> = {};
let gatewayUrl = "";

async function instance(id: string, setup: (server: EdgeServer, node: PatternNode) => void): Promise<number> {
  const server = new EdgeServer({ host: "127.0.0.1" });
  const node = new PatternNode({ id, registry, server });
  setup(server, node);
  const port = await server.listen(0);
  await node.start(`127.0.0.1:${port}`);
  servers.push(server);
  nodes[id] = node;
  ports[id] = port;
  return port;
}

const positive = (by: string) => async (m: Record<string, unknown>) => ({ answer: typeof m["Value"] === "number" && m["Value"] > 0, by });

beforeAll(async () => {
  await instance("a", (server, node) => {
    registerEcho(server, { say: async (input) => ({ ...input, text: `a:${input.text}`, serverTime: 0n }), ping: async () => ({ nodeId: "a" }) });
    node.handle("role:math,cmd:positive", positive("a"));
  });
  await instance("b", (_, node) => {
    node.handle("cmd:positive,role:math", positive("b")); // same pattern, other key order
    node.handle("role:math,cmd:positive,sign:strict", async () => ({ strict: true, by: "b" }));
    node.handle("role:slow", () => new Promise((resolve) => setTimeout(() => resolve({ late: true }), 500)));
    node.handle("role:whoami", async (_, ctx) => ({ authorization: ctx.headers["authorization"] ?? null, chosen: ctx.headers["rony-pattern"] ?? null }));
  });
  const port = await instance("gw", () => undefined); // nothing of its own: a gateway
  gatewayUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.shutdown()));
});

const post = async (body: string) => {
  const res = await fetch(`${gatewayUrl}/`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("pattern routing through a gateway", () => {
  it("answers a go-nano style POST /", async () => {
    const reply = await post('{"Pattern":"role:math,cmd:positive","Value":1}');
    expect(reply.status).toBe(200);
    expect(reply.body["answer"]).toBe(true);
    expect(nodes["gw"]!.patterns).toEqual([]); // the gateway serves nothing itself
  });

  it("sends the most specific match, whatever the key order", async () => {
    expect((await post('{"Pattern":"sign:strict,cmd:positive,role:math","Value":1}')).body).toEqual({ strict: true, by: "b" });
    expect((await post('{"Pattern":"cmd:positive,role:math,extra:1","Value":1}')).body["answer"]).toBe(true);
  });

  it("shares the load across the instances of a pattern", async () => {
    const by = await Promise.all(Array.from({ length: 10 }, () => post('{"Pattern":"role:math,cmd:positive","Value":1}').then((r) => r.body["by"])));
    expect(by.filter((x) => x === "a").length).toBe(5);
    expect(by.filter((x) => x === "b").length).toBe(5);
  });

  it("runs typed rpcs by their schema pattern: act from code, generated clients over the node and over HTTP", async () => {
    const gw = nodes["gw"]!;
    expect(await gw.act("role:echo,cmd:say", { text: "hi" })).toMatchObject({ text: "a:hi" });
    const viaNode = await new EchoClient(gw).say({ intValue: 7n, boolValue: true, text: "typed" });
    expect(viaNode).toMatchObject({ intValue: 7n, text: "a:typed" });
    const viaHttp = await new EchoClient(patternTransport(new HttpTransport(gatewayUrl))).say({ intValue: 8n, boolValue: false, text: "far" });
    expect(viaHttp).toMatchObject({ intValue: 8n, text: "a:far" });
  });

  it("answers the same calls over the WebSocket, as text frames and through the client", async () => {
    const ws = new WebSocketTransport(`${gatewayUrl.replace("http", "ws")}/ws`);
    try {
      expect(await ws.act("role:math,cmd:positive,sign:strict", { Value: 2 })).toEqual({ strict: true, by: "b" });
      await expect(ws.act("role:nothing")).rejects.toMatchObject({ code: ErrorCode.NOT_FOUND });
      expect(await new HttpTransport(gatewayUrl).act("role:math,cmd:positive", { Value: -1 })).toMatchObject({ answer: false });
    } finally {
      ws.close();
    }
  });

  it("passes the caller's headers on to the instance, but not the connection's own", async () => {
    const res = await fetch(`${gatewayUrl}/`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer t" }, body: '{"Pattern":"role:whoami"}' });
    expect(await res.json()).toEqual({ authorization: "Bearer t", chosen: "role:whoami" });
    expect(await nodes["gw"]!.act("role:whoami", {}, { headers: { authorization: "Bearer code" } })).toMatchObject({ authorization: "Bearer code" });
  });

  it("refuses bad input with typed errors", async () => {
    expect(await post('{"Pattern":"role:math,,","Value":1}')).toMatchObject({ status: 400, body: { code: "INVALID_ARGUMENT", items: "role:math,," } });
    expect(await post('{"Pattern":"role:physics"}')).toMatchObject({ status: 404, body: { code: "NOT_FOUND" } });
    expect(await post('{"Value":1}')).toMatchObject({ status: 400, body: { code: "INVALID_ARGUMENT", items: "Pattern" } });
    expect(await post("[1]")).toMatchObject({ status: 400, body: { code: "INVALID_ARGUMENT" } });
    expect(await post("{not json")).toMatchObject({ status: 400, body: { code: "INVALID_ARGUMENT" } });
    // An instance runs the pattern a caller chose only if the message carries it, and only one it serves.
    const chosen = (pattern: string, body: string) =>
      fetch(`http://127.0.0.1:${ports["a"]}/`, { method: "POST", headers: { "rony-pattern": pattern }, body }).then(async (r) => [r.status, ((await r.json()) as { code: string }).code]);
    expect(await chosen("role:math,cmd:positive", '{"Pattern":"role:other"}')).toEqual([400, "INVALID_ARGUMENT"]);
    expect(await chosen("role:math,cmd:positive,sign:strict", '{"Pattern":"role:math,cmd:positive,sign:strict"}')).toEqual([412, "FAILED_PRECONDITION"]);
    const gw = nodes["gw"]!;
    await expect(gw.act("role:echo,cmd:say", { intValue: "not a number" })).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });

  it("an instance that no longer serves a pattern (a stale view) answers so, and the call moves to one that does", async () => {
    // "liar" names instance a's address for a pattern only b serves.
    await registry.announce({ id: "liar", replicaSet: "", edgeAddress: `127.0.0.1:${ports["a"]}`, tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns: ["role:math,cmd:positive,sign:strict"] });
    try {
      const replies = await Promise.all(Array.from({ length: 6 }, () => post('{"Pattern":"role:math,cmd:positive,sign:strict"}')));
      expect(replies.map((r) => r.body)).toEqual(Array.from({ length: 6 }, () => ({ strict: true, by: "b" })));
    } finally {
      await registry.withdraw("liar");
    }
  });

  it("a forwarded call past its deadline is DEADLINE_EXCEEDED", async () => {
    await expect(nodes["gw"]!.act("role:slow", {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: ErrorCode.DEADLINE_EXCEEDED });
    await expect(new HttpTransport(gatewayUrl).act("role:slow", {}, { timeoutMs: 100 })).rejects.toMatchObject({ code: ErrorCode.DEADLINE_EXCEEDED });
  });

  it("a malformed pattern inside an entry is reported, and the entry's other patterns are used", async () => {
    const reported: string[] = [];
    nodes["gw"]!.routes.onBadPattern = (e, id) => reported.push(`${id}: ${e.pattern}`);
    await registry.announce({ id: "sloppy", replicaSet: "", edgeAddress: `127.0.0.1:${ports["a"]}`, tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns: ["role:", "cmd:positive,role:math"] });
    try {
      expect(reported).toEqual(["sloppy: role:"]);
      expect(nodes["gw"]!.routes.instances("cmd:positive,role:math").map((i) => i.nodeId)).toContain("sloppy");
    } finally {
      await registry.withdraw("sloppy");
    }
  });

  it("a node serves its own instance in-process, without HTTP", async () => {
    const alone = new PatternNode({ id: "alone", registry: new StaticRegistry() });
    alone.handle("role:alone", async () => ({ here: true }));
    await alone.start("127.0.0.1:1"); // nothing listens there: only an in-process call can answer
    expect(await alone.act("role:alone")).toEqual({ here: true });
  });

  it("validates patterns at registration", () => {
    const node = new PatternNode({ id: "x", registry });
    expect(() => node.handle("role:", async () => 1)).toThrow(PatternError);
    node.handle("role:x,cmd:y", async () => 1);
    expect(() => node.handle("cmd:y,role:x", async () => 2)).toThrow(/served twice/);
  });

  it("an entry naming a dead address: UNAVAILABLE naming it, and a pattern with a live instance moves there", async () => {
    const dead = await unusedPort();
    await registry.announce({ id: "ghost", replicaSet: "", edgeAddress: `127.0.0.1:${dead}`, tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns: ["role:ghost", "cmd:positive,role:math"] });
    try {
      const ghost = await post('{"Pattern":"role:ghost"}');
      expect(ghost).toMatchObject({ status: 503, body: { code: "UNAVAILABLE" } });
      expect(String(ghost.body["description"])).toContain(`127.0.0.1:${dead}`);
      const replies = await Promise.all(Array.from({ length: 9 }, () => post('{"Pattern":"role:math,cmd:positive","Value":1}')));
      expect(replies.every((r) => r.status === 200)).toBe(true);
    } finally {
      await registry.withdraw("ghost");
    }
  });
});
