// Limits and refusals over real sockets: internal rpcs, oversize frames and bodies, in-flight
// caps, a client that stops reading (backpressure), idle connections.
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { EdgeServer } from "rony-ts/runtime";
import { ErrorCode, HttpTransport, RonyError, WebSocketTransport, RPC_ERROR_ID, decodeEnvelope, decodeRpcError, encodeEnvelope } from "rony-ts/runtime/client";
import { EchoClient, EchoIds, EchoService as EchoDescriptor, MessageIds, registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest, type PingRequest } from "../../generated/examples/echo.js";
import { EchoService } from "../../demo/echo-service.js";
import { deferred, start, startDemo, until } from "./harness.js";

async function open(url: string): Promise<WebSocket> {
  const sock = new WebSocket(url);
  await new Promise((resolve, reject) => {
    sock.once("open", resolve);
    sock.once("error", reject);
  });
  return sock;
}

function closed(sock: WebSocket): Promise<number> {
  return new Promise((resolve) => sock.once("close", (code) => resolve(code)));
}

describe("edge limits and refusals", () => {
  it("refuses internal rpcs at the edge: WebSocket, RPC endpoint, JSON frames", async () => {
    const { wsUrl, httpUrl } = await startDemo();
    const ping = EchoDescriptor.methods.ping;
    const t = new WebSocketTransport(wsUrl);
    try {
      await expect(t.call(ping, {} satisfies PingRequest)).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNIMPLEMENTED));
    } finally {
      t.close();
    }
    await expect(new HttpTransport(httpUrl).call(ping, {})).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNIMPLEMENTED));
    const res = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ requestId: 1, method: "examples.echo.Echo.Ping" }) });
    expect((await res.json()).error.code).toBe("UNIMPLEMENTED");
  });

  it("refuses an idle timeout uWS cannot take (it aborted the process at listen) with a RangeError", () => {
    for (const idleTimeoutSeconds of [1, 4, 7, 961, 8.5, -8]) {
      expect(() => new EdgeServer({ limits: { idleTimeoutSeconds } })).toThrow(RangeError);
      expect(() => new EdgeServer({ tunnel: { authorize: () => true, idleTimeoutSeconds } })).toThrow(/tunnel idleTimeoutSeconds must be 0 \(never\) or whole seconds from 8 to 960/);
    }
    for (const idleTimeoutSeconds of [0, 8, 960]) {
      expect(new EdgeServer({ limits: { idleTimeoutSeconds }, tunnel: { authorize: () => true, idleTimeoutSeconds } }).limits.idleTimeoutSeconds).toBe(idleTimeoutSeconds);
    }
  });

  it("closes a WebSocket that sends a frame over maxPayloadBytes (1009), and answers 413 over HTTP", async () => {
    const { wsUrl, httpUrl } = await startDemo({ limits: { maxPayloadBytes: 1024 } });
    const sock = await open(wsUrl);
    const code = closed(sock);
    sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 1, payload: EchoRequest.encode({ intValue: 1n, boolValue: false, text: "x".repeat(2000) }).finish(), headers: {} }));
    expect(await code).toBe(1009);
    const res = await fetch(`${httpUrl}/echo`, { method: "POST", body: JSON.stringify({ text: "x".repeat(2000) }) });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe("RESOURCE_EXHAUSTED");
    // A request under the limit still works on a new connection.
    const t = new WebSocketTransport(wsUrl);
    try {
      expect((await new EchoClient(t).say({ intValue: 1n, boolValue: true, text: "small" })).text).toBe("small");
    } finally {
      t.close();
    }
  });

  it("refuses calls beyond maxInFlightPerConnection with RESOURCE_EXHAUSTED, serves the rest", async () => {
    const server = new EdgeServer({ host: "127.0.0.1", limits: { maxInFlightPerConnection: 4 } });
    const release = deferred();
    registerEcho(server, {
      say: async (input) => {
        await release.promise;
        return { ...input, serverTime: 0n };
      },
      ping: async () => ({ nodeId: "" }),
    });
    const { wsUrl } = await start(server);
    const t = new WebSocketTransport(wsUrl);
    try {
      const echo = new EchoClient(t);
      const calls = Array.from({ length: 6 }, (_, i) => echo.say({ intValue: BigInt(i), boolValue: false, text: "" }).then(
        (r) => `ok ${r.intValue}`,
        (e: RonyError) => ErrorCode[e.code],
      ));
      await until(() => server.inFlight === 4);
      release.resolve();
      expect(await Promise.all(calls)).toEqual(["ok 0", "ok 1", "ok 2", "ok 3", "RESOURCE_EXHAUSTED", "RESOURCE_EXHAUSTED"]);
    } finally {
      t.close();
    }
  });

  it("stops serving a client that does not read its replies, and resumes when it drains", async () => {
    const server = new EdgeServer({ host: "127.0.0.1", limits: { sendHighWaterBytes: 256 * 1024, maxPayloadBytes: 128 * 1024, maxInFlightPerConnection: 10_000, maxHeldFrames: 10_000 } });
    let served = 0;
    registerEcho(server, {
      say: async (input) => {
        served++;
        return { ...input, serverTime: 0n };
      },
      ping: async () => ({ nodeId: "" }),
    });
    const { wsUrl } = await start(server);
    const sock = await open(wsUrl);
    const replies: number[] = [];
    sock.on("message", (data: Buffer) => replies.push(decodeEnvelope(new Uint8Array(data)).requestId));
    // Stop reading at the TCP level: replies pile up in the kernel, then in uWS's send buffer.
    (sock as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const payload = EchoRequest.encode({ intValue: 1n, boolValue: true, text: "y".repeat(64 * 1024) }).finish();
    const total = 600; // ~38 MiB of replies: more than loopback socket buffers hold
    for (let i = 1; i <= total; i++) sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: i, payload, headers: {} }));
    // Wait until serving stalls: the server holds the remaining frames instead of answering them.
    let last = -1;
    await until(() => {
      const stalled = served === last && served > 0;
      last = served;
      return stalled;
    }, 20_000);
    await new Promise((r) => setTimeout(r, 200));
    expect(served).toBeLessThan(total);
    const [conn] = [...server.connections.values()];
    expect(conn!.held.length).toBeGreaterThan(0);
    (sock as unknown as { _socket: { resume(): void } })._socket.resume();
    await until(() => replies.length === total, 20_000);
    expect(served).toBe(total);
    expect(new Set(replies).size).toBe(total);
    sock.close();
  });

  it("closes a client that keeps sending while it reads no replies, once maxHeldFrames frames are held (1008)", async () => {
    const closes: string[] = [];
    const server = new EdgeServer({
      host: "127.0.0.1",
      limits: { sendHighWaterBytes: 64 * 1024, maxPayloadBytes: 128 * 1024, maxHeldFrames: 8 },
      hooks: { onClose: (_conn, code, reason) => closes.push(`${code} ${reason}`) },
    });
    let served = 0;
    registerEcho(server, {
      say: async (input) => {
        served++;
        return { ...input, serverTime: 0n };
      },
      ping: async () => ({ nodeId: "" }),
    });
    const { wsUrl } = await start(server);
    const sock = await open(wsUrl);
    (sock as unknown as { _socket: { pause(): void } })._socket.pause();
    const payload = EchoRequest.encode({ intValue: 1n, boolValue: true, text: "z".repeat(64 * 1024) }).finish();
    const total = 600; // ~38 MiB of replies: the send buffer passes the high-water mark long before the last frame
    for (let i = 1; i <= total; i++) sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: i, payload, headers: {} }));
    await until(() => closes.length > 0, 20_000);
    expect(closes).toEqual(["1008 not reading replies"]);
    expect(served).toBeLessThan(total);
    expect(server.connections.size).toBe(0);
    sock.terminate();
  }, 30_000);

  it("closes idle WebSockets after idleTimeoutSeconds", async () => {
    const { wsUrl } = await startDemo({ limits: { idleTimeoutSeconds: 8 } });
    const sock = new WebSocket(wsUrl, { autoPong: false });
    const began = Date.now();
    const code = closed(sock);
    await new Promise((r) => sock.once("open", r));
    // uWS pings at the half-way mark; this client does not pong, so the connection is idle.
    expect(await code).toBeGreaterThan(0);
    expect(Date.now() - began).toBeGreaterThanOrEqual(4_000);
  }, 30_000);

  it("answers a malformed binary frame with an INVALID_ARGUMENT error frame and keeps the connection", async () => {
    const { wsUrl } = await startDemo();
    const sock = await open(wsUrl);
    const frames: Uint8Array[] = [];
    sock.on("message", (d: Buffer) => frames.push(new Uint8Array(d)));
    sock.send(Uint8Array.from([26, 200, 1, 0]));
    sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 9, payload: EchoRequest.encode({ intValue: 2n, boolValue: false, text: "after" }).finish(), headers: {} }));
    await until(() => frames.length === 2);
    const [bad, good] = frames.map((f) => decodeEnvelope(f));
    expect(bad!.constructorId).toBe(RPC_ERROR_ID);
    expect(decodeRpcError(bad!.payload).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(good!.requestId).toBe(9);
    sock.close();
  });

  it("a refused open hook closes the connection with 1008", async () => {
    const server = new EdgeServer({ host: "127.0.0.1", hooks: { onOpen: (c) => c.headers["authorization"] === "Bearer ok" } });
    registerEcho(server, new EchoService());
    const { wsUrl } = await start(server);
    const refused = new WebSocket(wsUrl);
    expect(await closed(refused)).toBe(1008);
    const accepted = new WebSocket(wsUrl, { headers: { authorization: "Bearer ok" } });
    await new Promise((r) => accepted.once("open", r));
    accepted.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 1, payload: EchoRequest.encode({ intValue: 5n, boolValue: true, text: "in" }).finish(), headers: {} }));
    const reply = decodeEnvelope(await new Promise<Uint8Array>((r) => accepted.once("message", (d: Buffer) => r(new Uint8Array(d)))));
    expect(reply.constructorId).toBe(MessageIds.EchoReply);
    expect(EchoReply.decode(reply.payload).text).toBe("in");
    accepted.close();
  });
});

describe("REST route table", () => {
  it("refuses to start when two rpcs are bound to one verb and path", async () => {
    const server = new EdgeServer({ host: "127.0.0.1" });
    registerEcho(server, new EchoService());
    const say = EchoDescriptor.methods.say;
    server.add({ ...say, constructorId: 4242, name: "SayAgain", http: { ...say.http!, path: "/echo" } }, async (i: EchoRequest) => ({ ...i, serverTime: 0n }));
    await expect(server.listen(0)).rejects.toThrow(/SayAgain and examples.echo.Echo.Say|Say and examples.echo.Echo.SayAgain/);
  });
});
