// HTTP's own limits and CORS: calls in flight across HTTP (REST and POST /rpc inner calls), and
// which browser pages on other origins may call, checked with fetch here and in Chromium below.
import { createServer, type Server } from "node:http";
import { chromium, type Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { EdgeServer, type EdgeServerOptions } from "rony-ts/runtime";
import { CONTAINER_ID, ErrorCode, RPC_ERROR_ID, decodeContainer, decodeEnvelope, decodeRpcError, encodeContainer, encodeEnvelope } from "rony-ts/runtime/client";
import { EchoIds, registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoRequest } from "../../generated/examples/echo.js";
import { deferred, start, startDemo, until } from "./harness.js";

/** An Echo server whose Say waits until the test releases it. */
async function heldEcho(options: EdgeServerOptions<unknown>) {
  const server = new EdgeServer({ host: "127.0.0.1", ...options });
  const release = deferred();
  registerEcho(server, {
    say: async (input) => {
      await release.promise;
      return { ...input, serverTime: 0n };
    },
    ping: async () => ({ nodeId: "" }),
  });
  return { ...(await start(server)), release: release.resolve };
}

const say = (text: string) => EchoRequest.encode({ intValue: 1n, boolValue: false, text }).finish();

describe("limits.maxHttpInFlight", () => {
  it("answers REST calls beyond it with 429 RESOURCE_EXHAUSTED and serves the rest; slots come back", async () => {
    const { server, httpUrl, release } = await heldEcho({ limits: { maxHttpInFlight: 2 } });
    const post = () => fetch(`${httpUrl}/echo`, { method: "POST", body: '{"text":"x"}' });
    const first = [post(), post()];
    await until(() => server.inFlight === 2);
    const refused = await post();
    expect(refused.status).toBe(429);
    expect((await refused.json()).code).toBe("RESOURCE_EXHAUSTED");
    release();
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    expect((await post()).status).toBe(200);
  });

  it("counts each inner call of a POST /rpc container, refusing the ones past it in the reply", async () => {
    const { server, httpUrl, release } = await heldEcho({ limits: { maxHttpInFlight: 2 } });
    const batch = encodeContainer([1, 2, 3].map((requestId) => ({ constructorId: EchoIds.Say, requestId, payload: say(`n${requestId}`), headers: {} })));
    const reply = fetch(`${httpUrl}/rpc`, { method: "POST", body: encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 9, payload: batch, headers: {} }) });
    await until(() => server.inFlight === 2);
    release();
    const res = await reply;
    expect(res.status).toBe(200);
    const replies = decodeContainer(decodeEnvelope(new Uint8Array(await res.arrayBuffer())).payload).sort((a, b) => a.requestId - b.requestId);
    expect(replies.map((r) => r.constructorId === RPC_ERROR_ID)).toEqual([false, false, true]);
    expect(decodeRpcError(replies[2]!.payload).code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    await until(() => server.inFlight === 0);
    expect((await fetch(`${httpUrl}/echo`, { method: "POST", body: "{}" })).status).toBe(200);
  });
});

describe("CORS", () => {
  const page = "http://app.example";

  it("is off by default: no CORS headers, and OPTIONS on a known path is 405", async () => {
    const { httpUrl } = await startDemo();
    const res = await fetch(`${httpUrl}/echo`, { method: "POST", headers: { origin: page }, body: "{}" });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${httpUrl}/echo`, { method: "OPTIONS", headers: { origin: page, "access-control-request-method": "POST" } });
    expect(preflight.status).toBe(405);
  });

  it("answers preflights and replies for allowed origins only", async () => {
    const { httpUrl } = await startDemo({ cors: { origins: [page], maxAgeSeconds: 60, exposeHeaders: ["x-trace"] } });
    const preflight = await fetch(`${httpUrl}/notebooks/home/notes`, {
      method: "OPTIONS",
      headers: { origin: page, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" },
    });
    expect(preflight.status).toBe(204);
    const cors: Record<string, string> = {};
    preflight.headers.forEach((v, k) => {
      if (k.startsWith("access-control") || k === "vary") cors[k] = v;
    });
    expect(cors).toEqual({
      "access-control-allow-origin": page,
      "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
      "access-control-allow-headers": "content-type, authorization",
      "access-control-max-age": "60",
      "access-control-expose-headers": "x-trace",
      vary: "origin",
    });
    for (const res of [await fetch(`${httpUrl}/echo`, { method: "POST", headers: { origin: page }, body: "{}" }), await fetch(`${httpUrl}/nowhere`, { headers: { origin: page } })]) {
      expect(res.headers.get("access-control-allow-origin")).toBe(page);
    }
    const other = await fetch(`${httpUrl}/echo`, { method: "POST", headers: { origin: "http://evil.example" }, body: "{}" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const otherPreflight = await fetch(`${httpUrl}/echo`, { method: "OPTIONS", headers: { origin: "http://evil.example", "access-control-request-method": "POST" } });
    expect(otherPreflight.status).toBe(405);
    expect(otherPreflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it('allows any origin with "*", echoing the origin when credentials are allowed', async () => {
    const any = await startDemo({ cors: { origins: "*" } });
    expect((await fetch(`${any.httpUrl}/echo`, { method: "POST", headers: { origin: page }, body: "{}" })).headers.get("access-control-allow-origin")).toBe("*");
    const creds = await startDemo({ cors: { origins: "*", credentials: true } });
    const res = await fetch(`${creds.httpUrl}/echo`, { method: "POST", headers: { origin: page }, body: "{}" });
    expect(res.headers.get("access-control-allow-origin")).toBe(page);
    expect(res.headers.get("access-control-allow-credentials")).toBe("true");
  });
});

let browser: Browser | undefined;
let pageServer: Server | undefined;
afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (pageServer ? pageServer.close(r) : r(undefined)));
});

describe("CORS in Chromium", () => {
  it("lets a page on another origin call REST and POST /rpc when allowed, and not when not", async () => {
    pageServer = createServer((_req, res) => res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><meta charset="utf-8"><p>app</p>'));
    await new Promise<void>((r) => pageServer!.listen(0, "127.0.0.1", r));
    const origin = `http://127.0.0.1:${(pageServer.address() as { port: number }).port}`;
    const allowed = await startDemo({ cors: { origins: [origin] } });
    const closed = await startDemo();

    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    const tab = await browser.newPage();
    await tab.goto(`${origin}/`);
    // A JSON content type and an authorization header make the browser send a preflight first.
    const call = (base: string) =>
      tab.evaluate(async (url) => {
        try {
          const rest = await fetch(`${url}/echo`, { method: "POST", headers: { "content-type": "application/json", authorization: "t" }, body: '{"intValue":"9007199254740993","text":"from a page"}' });
          const rpc = await fetch(`${url}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"requestId":1,"method":"examples.echo.Echo.Say","input":{"text":"rpc"}}' });
          return `${rest.status} ${(await rest.json()).intValue} ${(await rpc.json()).output.text}`;
        } catch (e) {
          return `refused: ${(e as Error).name}`;
        }
      }, base);
    expect(await call(allowed.httpUrl)).toBe("200 9007199254740993 rpc");
    expect(await call(closed.httpUrl)).toBe("refused: TypeError");
  }, 60_000);
});
