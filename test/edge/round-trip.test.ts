// WebSocket and HTTP round trips through the generated clients, against the demo services.
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ErrorCode, HttpTransport, RonyError, WebSocketTransport, CONTAINER_ID, decodeEnvelope, decodeContainer, encodeContainer, encodeEnvelope, RPC_ERROR_ID, decodeRpcError } from "rony-ts/runtime/client";
import { EchoClient, EchoIds, MessageIds as EchoMessageIds, registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest, Pong } from "../../generated/examples/echo.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";
import { KvClient, KvIds, MessageIds as KvMessageIds, registerKv } from "../../generated/examples/kv.rony.js";
import { KvEntry, KvPut } from "../../generated/examples/kv.js";
import { EdgeServer } from "rony-ts/runtime";
import { deferred, start, startDemo, until } from "./harness.js";

const clients: { close(): void }[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function ws(url: string, options: ConstructorParameters<typeof WebSocketTransport>[1] = {}): WebSocketTransport {
  const t = new WebSocketTransport(url, options);
  clients.push(t);
  return t;
}

const sample = { intValue: -9007199254740993n, boolValue: true, text: "0123456789abcdef0123456789abcdef" };

describe("WebSocket gateway through generated clients", () => {
  it("echoes an int64, a bool and a string (the client loads `ws` itself)", async () => {
    const { wsUrl } = await startDemo();
    const reply = await new EchoClient(ws(wsUrl)).say(sample);
    expect(reply).toMatchObject(sample);
    expect(reply.serverTime).toBeGreaterThan(0n);
  });

  it("keeps many calls in flight on one connection and matches replies by request id", async () => {
    const { wsUrl } = await startDemo();
    const echo = new EchoClient(ws(wsUrl));
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => echo.say({ ...sample, intValue: BigInt(i), text: `n${i}` })));
    replies.forEach((r, i) => {
      expect(r.intValue).toBe(BigInt(i));
      expect(r.text).toBe(`n${i}`);
    });
  });

  it("runs the REST-bound Notes service and maps typed errors back to RonyError", async () => {
    const { wsUrl } = await startDemo();
    const notes = new NotesClient(ws(wsUrl));
    const created = await notes.create({ notebook: "home", slug: "milk", title: "Buy milk", body: "", tags: ["errand"] });
    expect(created.id).toBeGreaterThan(0n);
    expect(await notes.get({ notebook: "home", id: created.id })).toEqual(created);
    const dup = notes.create({ notebook: "home", slug: "milk", title: "again", body: "", tags: [] });
    await expect(dup).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.ALREADY_EXISTS) && e.items === "slug");
    await expect(notes.get({ notebook: "home", id: 999n })).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.NOT_FOUND));
  });

  it("answers JSON text frames (the debugging aid), batches included", async () => {
    const { wsUrl } = await startDemo();
    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    const replies: unknown[] = [];
    sock.on("message", (data, isBinary) => {
      expect(isBinary).toBe(false);
      replies.push(JSON.parse(String(data)));
    });
    sock.send(JSON.stringify({ requestId: 7, method: "examples.echo.Echo.Say", input: { intValue: "5", text: "hi" } }));
    sock.send(JSON.stringify({ envelopes: [{ requestId: 8, constructorId: EchoIds.Say, input: {} }, { requestId: 9, method: "nope.Nope" }] }));
    sock.send("{not json");
    await until(() => replies.length === 4);
    sock.close();
    expect(replies).toContainEqual({ requestId: 7, constructorId: EchoMessageIds.EchoReply, output: expect.objectContaining({ intValue: "5", text: "hi" }) });
    expect(replies).toContainEqual(expect.objectContaining({ requestId: 8, constructorId: EchoMessageIds.EchoReply }));
    expect(replies).toContainEqual(expect.objectContaining({ requestId: 9, error: expect.objectContaining({ code: "UNIMPLEMENTED" }) }));
    expect(replies).toContainEqual(expect.objectContaining({ requestId: 0, error: expect.objectContaining({ code: "INVALID_ARGUMENT" }) }));
  });

  it("serves a binary container and replies to each envelope", async () => {
    const { wsUrl } = await startDemo();
    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    const got = new Map<number, number>();
    sock.on("message", (data: Buffer) => {
      const env = decodeEnvelope(new Uint8Array(data));
      got.set(env.requestId, env.constructorId);
    });
    const payload = EchoRequest.encode(sample).finish();
    const batch = encodeContainer([1, 2, 3].map((requestId) => ({ constructorId: EchoIds.Say, requestId, payload, headers: {} })));
    sock.send(encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 0, payload: batch, headers: {} }));
    await until(() => got.size === 3);
    sock.close();
    expect([...got.entries()].sort()).toEqual([1, 2, 3].map((id) => [id, EchoMessageIds.EchoReply]));
  });

  it("a bytes field read in place from uWS's message buffer is the handler's to keep across an await, in single frames and in containers", async () => {
    // uWS neuters a message's buffer when its callback returns; the frame handler reads frames
    // where they are, so a bytes field must come out as a copy, not a view of that buffer.
    const server = new EdgeServer({ host: "127.0.0.1" });
    registerKv(server, {
      async put(input) {
        await new Promise((r) => setTimeout(r, 5));
        return { scope: input.scope, key: input.key, value: input.value, version: 1n };
      },
      get: () => ({ scope: "", key: "", value: new Uint8Array(0), version: 0n }),
      async *watch() {},
    });
    const { wsUrl } = await start(server);
    const kv = new KvClient(ws(wsUrl));
    const values = Array.from({ length: 64 }, (_, i) => Uint8Array.from({ length: 1 + ((i * 37) % 300) }, (_, j) => (i * 7 + j) & 0xff));
    const replies = await Promise.all(values.map((value, i) => kv.put({ scope: "s", key: `k${i}`, value })));
    expect(replies.map((r) => [...r.value])).toEqual(values.map((v) => [...v]));

    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    const got = new Map<number, Uint8Array>();
    sock.on("message", (data: Buffer) => {
      const env = decodeEnvelope(new Uint8Array(data));
      expect(env.constructorId).toBe(KvMessageIds.KvEntry);
      got.set(env.requestId, KvEntry.decode(env.payload).value);
    });
    const batch = encodeContainer(values.slice(0, 8).map((value, i) => ({ constructorId: KvIds.Put, requestId: i + 1, payload: KvPut.encode({ scope: "s", key: `b${i}`, value }).finish(), headers: {} })));
    sock.send(encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 0, payload: batch, headers: {} }));
    await until(() => got.size === 8);
    sock.close();
    expect([...got.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => [...v])).toEqual(values.slice(0, 8).map((v) => [...v]));
  });

  it("pushes to a connection and calls the open/close hooks", async () => {
    const events: string[] = [];
    const { server, wsUrl } = await startDemo({
      hooks: {
        onOpen: (c) => void events.push(`open ${c.id}`),
        onClose: (c, code) => void events.push(`close ${c.id} ${code}`),
      },
    });
    const t = ws(wsUrl);
    const pushed: Pong[] = [];
    t.onPush(EchoMessageIds.Pong, Pong, (p) => pushed.push(p));
    await t.connect();
    const [conn] = [...server.connections.values()];
    expect(conn!.push(EchoMessageIds.Pong, Pong, { nodeId: "n1" })).toBe(true);
    await until(() => pushed.length === 1);
    expect(pushed).toEqual([{ nodeId: "n1" }]);
    t.close();
    await until(() => events.length === 2);
    expect(events).toEqual([`open ${conn!.id}`, `close ${conn!.id} 1000`]);
  });
});

describe("reply order on one connection", () => {
  it("a push made by a handler leaves before the handler's reply, whether the handler answers with a plain value (sent inside uWS's callback) or later", async () => {
    const server = new EdgeServer({ host: "127.0.0.1" });
    const later = deferred();
    registerEcho(server, {
      say(input, ctx) {
        ctx.connection!.push(EchoMessageIds.Pong, Pong, { nodeId: `before ${input.text}` });
        if (input.text !== "late") return { ...input, serverTime: 1n };
        return later.promise.then(() => {
          ctx.connection!.push(EchoMessageIds.Pong, Pong, { nodeId: "before late reply" });
          return { ...input, serverTime: 2n };
        });
      },
      ping: () => ({ nodeId: "" }),
    });
    const { wsUrl } = await start(server);
    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    const seen: string[] = [];
    sock.on("message", (data: Buffer) => {
      const env = decodeEnvelope(new Uint8Array(data));
      seen.push(env.requestId === 0 ? Pong.decode(env.payload).nodeId : `reply ${env.requestId} ${EchoReply.decode(env.payload).text}`);
    });
    const call = (requestId: number, text: string) =>
      sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId, payload: EchoRequest.encode({ ...sample, text }).finish(), headers: {} }));
    call(1, "late");
    call(2, "a");
    call(3, "b");
    await until(() => seen.length === 5);
    later.resolve();
    await until(() => seen.length === 7);
    sock.close();
    expect(seen).toEqual(["before late", "before a", "reply 2 a", "before b", "reply 3 b", "before late reply", "reply 1 late"]);
  });
});

describe("HTTP gateway through generated clients", () => {
  it("round-trips binary envelopes on the RPC endpoint", async () => {
    const { httpUrl } = await startDemo();
    const echo = new EchoClient(new HttpTransport(httpUrl));
    expect(await echo.say(sample)).toMatchObject(sample);
  });

  it("serves REST bindings: path params, query string and body", async () => {
    const { httpUrl } = await startDemo();
    const notes = new NotesClient(new HttpTransport(httpUrl, { mode: "rest" }));
    const ids: bigint[] = [];
    for (const slug of ["a", "b", "c"]) {
      ids.push((await notes.create({ notebook: "work", slug, title: slug.toUpperCase(), body: "text", tags: ["x", "y"] })).id);
    }
    // GET /notebooks/{notebook}/notes/{id}: path only
    expect(await notes.get({ notebook: "work", id: ids[1]! })).toMatchObject({ slug: "b", tags: ["x", "y"] });
    // GET /notebooks/{notebook}/notes?limit=2&cursor=…: path + query
    const page1 = await notes.list({ notebook: "work", limit: 2, cursor: "" });
    expect(page1.notes.map((n) => n.slug)).toEqual(["c", "b"]);
    const page2 = await notes.list({ notebook: "work", limit: 2, cursor: page1.nextCursor });
    expect(page2.notes.map((n) => n.slug)).toEqual(["a"]);
    // PUT /notebooks/{notebook}/notes/{id} with body "note": path + one field from the body
    const updated = await notes.update({ notebook: "work", id: ids[0]!, note: { notebook: "", id: 0n, slug: "", title: "renamed", body: "", tags: [] } });
    expect(updated).toMatchObject({ id: ids[0], title: "renamed", slug: "a" });
    expect(await notes.delete({ notebook: "work", id: ids[0]! })).toEqual({ existed: true });
    await expect(notes.get({ notebook: "work", id: ids[0]! })).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.NOT_FOUND));
  });

  it("maps typed errors to HTTP status codes with a JSON error body", async () => {
    const { httpUrl } = await startDemo();
    const missing = await fetch(`${httpUrl}/notebooks/x/notes/42`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ code: "NOT_FOUND", items: "id", description: "no note 42 in x" });
    const badId = await fetch(`${httpUrl}/notebooks/x/notes/not-a-number`);
    expect(badId.status).toBe(400);
    expect((await badId.json()).code).toBe("INVALID_ARGUMENT");
    const badBody = await fetch(`${httpUrl}/echo`, { method: "POST", body: "[1,2]" });
    expect(badBody.status).toBe(400);
    const noRoute = await fetch(`${httpUrl}/nowhere`);
    expect(noRoute.status).toBe(404);
    const created = await fetch(`${httpUrl}/notebooks/x/notes`, { method: "POST", body: JSON.stringify({ slug: "s" }) });
    expect(created.status).toBe(200);
    const taken = await fetch(`${httpUrl}/notebooks/x/notes`, { method: "POST", body: JSON.stringify({ slug: "s" }) });
    expect(taken.status).toBe(409);
  });

  it("runs middleware on REST and JSON calls too: a refusing before maps to its HTTP status", async () => {
    const { server, httpUrl } = await startDemo();
    server.use({
      before(ctx) {
        if (ctx.headers["authorization"] !== "Bearer demo") throw new RonyError(ErrorCode.UNAUTHENTICATED, "who are you?");
        ctx.auth = "demo-user";
      },
    });
    const refused = await fetch(`${httpUrl}/echo`, { method: "POST", body: "{}" });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ code: "UNAUTHENTICATED", description: "who are you?" });
    const allowed = await fetch(`${httpUrl}/echo`, { method: "POST", body: '{"text":"ok"}', headers: { authorization: "Bearer demo" } });
    expect(allowed.status).toBe(200);
    const echo = new EchoClient(new HttpTransport(httpUrl, { headers: { authorization: "Bearer demo" } }));
    expect((await echo.say(sample)).text).toBe(sample.text);
    await expect(new EchoClient(new HttpTransport(httpUrl)).say(sample)).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNAUTHENTICATED));
  });

  it("answers a JSON batch POSTed to the RPC endpoint with a JSON batch", async () => {
    const { httpUrl } = await startDemo();
    const body = ' {\n "envelopes": [{"requestId": 1, "method": "examples.echo.Echo.Say", "input": {"text": "a"}}, {"requestId": 2, "method": "examples.echo.Echo.Ping"}] }';
    const res = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const { envelopes } = (await res.json()) as { envelopes: { requestId: number; output?: { text: string }; error?: { code: string } }[] };
    envelopes.sort((a, b) => a.requestId - b.requestId);
    expect(envelopes[0]!.output!.text).toBe("a");
    expect(envelopes[1]!.error!.code).toBe("UNIMPLEMENTED");
  });

  it("answers a binary container POSTed to the RPC endpoint with a container", async () => {
    const { httpUrl } = await startDemo();
    const payload = EchoRequest.encode(sample).finish();
    const batch = encodeContainer([
      { constructorId: EchoIds.Say, requestId: 1, payload, headers: {} },
      { constructorId: EchoIds.Ping, requestId: 2, payload: new Uint8Array(0), headers: {} },
    ]);
    const res = await fetch(`${httpUrl}/rpc`, { method: "POST", body: encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 0, payload: batch, headers: {} }) });
    const env = decodeEnvelope(new Uint8Array(await res.arrayBuffer()));
    expect(env.constructorId).toBe(CONTAINER_ID);
    const replies = decodeContainer(env.payload).sort((a, b) => a.requestId - b.requestId);
    expect(EchoReply.decode(replies[0]!.payload)).toMatchObject(sample);
    expect(replies[1]!.constructorId).toBe(RPC_ERROR_ID);
    expect(decodeRpcError(replies[1]!.payload).code).toBe(ErrorCode.UNIMPLEMENTED);
  });
});
