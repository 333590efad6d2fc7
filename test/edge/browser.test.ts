// A real browser: headless Chromium loads a page whose script is a generated client bundled
// with runtime/client, talks to the edge over WebSocket, and shows what it got.
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { startDemo } from "./harness.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

async function bundle(page = "./browser-page.ts"): Promise<string> {
  const result = await build({
    entryPoints: [here(page)],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2022",
    alias: { "rony-ts/runtime/client": here("../../runtime/client/index.ts"), "rony-ts/runtime/rpc": here("../../runtime/rpc/index.ts") },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

let browser: Browser | undefined;
let pageServer: Server | undefined;
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await new Promise((r) => (pageServer ? pageServer.close(r) : r(undefined)));
  pageServer = undefined;
});

/** Serves `script` under a page holding #result (and #ready) and opens it in Chromium. */
async function openPage(script: string, wsUrl: string): Promise<{ page: Page; errors: string[] }> {
  pageServer = createServer((req, res) => {
    if (req.url === "/app.js") {
      res.writeHead(200, { "content-type": "text/javascript" }).end(script);
      return;
    }
    res.writeHead(200, { "content-type": "text/html" }).end(
      `<!doctype html><meta charset="utf-8"><p id="result">pending</p><p id="ready"></p>` +
        `<script>window.__edge = ${JSON.stringify(wsUrl)};</script><script type="module" src="/app.js"></script>`,
    );
  });
  await new Promise<void>((r) => pageServer!.listen(0, "127.0.0.1", r));
  const { port } = pageServer.address() as { port: number };
  browser ??= await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  return { page, errors };
}

describe("a generated client in Chromium", () => {
  it("calls Echo and Notes over WebSocket and shows the replies", async () => {
    const { wsUrl } = await startDemo();
    const script = await bundle();
    // The bundle must not drag Node-only code into the page.
    expect(script).not.toMatch(/uWebSockets|require\("ws"\)|node:/);
    const { page, errors } = await openPage(script, wsUrl);
    await page.waitForFunction(() => document.getElementById("result")?.textContent !== "pending", undefined, { timeout: 15_000 });
    const text = await page.textContent("#result");
    expect(errors).toEqual([]);
    expect(text).toMatch(/^from chromium\|9007199254740993\|true\|typed#\d+\|RonyError 2$/);
  }, 60_000);

  it("runs every kind of stream: order, end, errors, cancels from either side, deadlines, 10k through a slow reader", async () => {
    const { wsUrl, server } = await startDemo({ limits: { streamWindow: 64 } });
    const script = await bundle("./browser-streams-page.ts");
    expect(script).not.toMatch(/uWebSockets|require\("ws"\)|node:/);
    let maxBuffered = 0;
    const sampler = setInterval(() => {
      for (const c of server.connections.values()) maxBuffered = Math.max(maxBuffered, c.bufferedAmount);
    }, 5);
    const { page, errors } = await openPage(script, wsUrl);
    await page.waitForFunction(() => document.getElementById("ready")?.textContent === "ready", undefined, { timeout: 45_000 });
    clearInterval(sampler);
    await server.shutdown();
    await page.waitForFunction(() => document.getElementById("result")?.textContent !== "pending", undefined, { timeout: 15_000 });
    const text = await page.textContent("#result");
    expect(errors).toEqual([]);
    expect(text!.split("\n")).toEqual([
      "server order 200 true",
      "server error code 8 after 3",
      "server cancel 3 open 0",
      "server deadline code 12",
      "server 10k 10000 true",
      "client order 500500 1000",
      "client error code 13",
      "client cancel code 13",
      "client deadline code 12",
      "client 10k 10000",
      "bidi order 300 true",
      "bidi error code 7 after 3",
      "bidi cancel 5 open 0",
      "bidi deadline code 12",
      "bidi 10k 10000",
      "server shutdown code 11",
    ]);
    // The server never held more than a few windows of frames for this slow reader.
    expect(maxBuffered).toBeLessThan(256 * 1024);
  }, 90_000);
});
