// Graceful shutdown finishes calls in flight; clients reconnect after a server restart and fail
// calls that were on the wire when the connection dropped.
import { describe, expect, it } from "vitest";
import { EdgeServer } from "rony-ts/runtime";
import { ErrorCode, HttpTransport, RonyError, WebSocketTransport } from "rony-ts/runtime/client";
import { EchoClient, registerEcho } from "../../generated/examples/echo.rony.js";
import { deferred, freePort, start, startDemo, until } from "./harness.js";

const req = (text: string) => ({ intValue: 1n, boolValue: false, text });

function slowServer() {
  const server = new EdgeServer({ host: "127.0.0.1", limits: { shutdownTimeoutMs: 5_000 } });
  const release = deferred();
  let entered = 0;
  registerEcho(server, {
    say: async (input) => {
      entered++;
      if (input.text === "slow") await release.promise;
      return { ...input, serverTime: 0n };
    },
    ping: async () => ({ nodeId: "" }),
  });
  return { server, release, entered: () => entered };
}

describe("graceful shutdown", () => {
  it("refuses new calls, finishes calls in flight over WebSocket and HTTP, then closes with 1001", async () => {
    const { server, release, entered } = slowServer();
    const { wsUrl, httpUrl } = await start(server);
    const t = new WebSocketTransport(wsUrl, { reconnect: false });
    const closes: string[] = [];
    t.onStateChange((s) => closes.push(s));
    const echo = new EchoClient(t);
    await t.connect();
    const wsCall = echo.say(req("slow"));
    const httpCall = new EchoClient(new HttpTransport(httpUrl)).say(req("slow"));
    await until(() => entered() === 2);
    const stopped = server.shutdown();
    // While draining: new calls are refused with UNAVAILABLE, in-flight ones keep running.
    await expect(echo.say(req("fast"))).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNAVAILABLE));
    expect(server.inFlight).toBe(2);
    release.resolve();
    expect((await wsCall).text).toBe("slow");
    expect((await httpCall).text).toBe("slow");
    await stopped;
    await until(() => t.state === "closed");
    // The listen socket is closed: a new client cannot connect.
    await expect(new EchoClient(new HttpTransport(httpUrl, { timeoutMs: 2_000 })).say(req("x"))).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNAVAILABLE));
  });
});

describe("WebSocket client reconnect", () => {
  it("fails calls on the wire when the server goes away, reconnects with backoff when it is back", async () => {
    const { server, release } = slowServer();
    const first = await start(server, await freePort());
    const t = new WebSocketTransport(first.wsUrl, { reconnect: { initialMs: 50, maxMs: 200 } });
    try {
      const states: string[] = [];
      t.onStateChange((s) => states.push(s));
      const echo = new EchoClient(t);
      expect((await echo.say(req("one"))).text).toBe("one");
      const onTheWire = echo.say(req("slow"));
      await until(() => server.inFlight === 1);
      // Kill every connection without waiting for the slow call: the client cannot know if it ran.
      for (const c of server.connections.values()) c.close(1012, "restart");
      await expect(onTheWire).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNAVAILABLE) && /lost/.test(e.description));
      release.resolve();
      await server.shutdown();
      // A call made while the server is down waits for the next connection.
      const waiting = echo.say(req("after restart"), { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 300));
      await startDemo({}, first.port);
      expect((await waiting).text).toBe("after restart");
      expect(states).toContain("reconnecting");
      expect(states.at(-1)).toBe("open");
    } finally {
      t.close();
    }
  });

  it("times out a call with DEADLINE_EXCEEDED, and close() fails pending calls with CANCELLED", async () => {
    const { server, release } = slowServer();
    const { wsUrl } = await start(server);
    const t = new WebSocketTransport(wsUrl);
    const echo = new EchoClient(t);
    await expect(echo.say(req("slow"), { timeoutMs: 100 })).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.DEADLINE_EXCEEDED));
    const pending = echo.say(req("slow"));
    const controller = new AbortController();
    const aborted = echo.say(req("slow"), { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.CANCELLED));
    t.close();
    await expect(pending).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.CANCELLED));
    await expect(echo.say(req("x"))).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.CANCELLED));
    release.resolve();
  });

  it("gives up clearly when reconnect is off and the server is gone", async () => {
    const { server, wsUrl } = await startDemo();
    await server.shutdown();
    const t = new WebSocketTransport(wsUrl, { reconnect: false });
    await expect(new EchoClient(t).say(req("x"))).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.UNAVAILABLE));
  });
});
