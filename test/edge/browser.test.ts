// A real browser: headless Chromium loads a page whose script is a generated client bundled
// with runtime/client, talks to the edge over WebSocket, and shows what it got.
import { createServer, type Server } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { startDemo } from "./harness.js";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [here("./browser-page.ts")],
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
  await new Promise((r) => (pageServer ? pageServer.close(r) : r(undefined)));
});

describe("a generated client in Chromium", () => {
  it("calls Echo and Notes over WebSocket and shows the replies", async () => {
    const { wsUrl } = await startDemo();
    const script = await bundle();
    // The bundle must not drag Node-only code into the page.
    expect(script).not.toMatch(/uWebSockets|require\("ws"\)|node:/);
    pageServer = createServer((req, res) => {
      if (req.url === "/app.js") {
        res.writeHead(200, { "content-type": "text/javascript" }).end(script);
        return;
      }
      res.writeHead(200, { "content-type": "text/html" }).end(
        `<!doctype html><meta charset="utf-8"><p id="result">pending</p>` +
          `<script>window.__edge = ${JSON.stringify(wsUrl)};</script><script type="module" src="/app.js"></script>`,
      );
    });
    await new Promise<void>((r) => pageServer!.listen(0, "127.0.0.1", r));
    const { port } = pageServer.address() as { port: number };

    browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.getElementById("result")?.textContent !== "pending", undefined, { timeout: 15_000 });
    const text = await page.textContent("#result");
    expect(errors).toEqual([]);
    expect(text).toMatch(/^from chromium\|9007199254740993\|true\|typed#\d+\|RonyError 2$/);
  }, 60_000);
});
