// `npm run demo` as a user runs it: it starts, prints how to call it, answers those calls, and
// stops gracefully on Ctrl-C.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("the demo", () => {
  it("starts on embedded defaults, prints a typed-client snippet and curl lines, serves them, stops on SIGINT", async () => {
    const demo = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "demo/main.ts"], { cwd: root, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    demo.stdout.on("data", (d: Buffer) => (out += d.toString()));
    demo.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => demo.once("exit", (code) => r(code)));
    try {
      const started = Date.now();
      while (!out.includes("Ctrl-C")) {
        if (Date.now() - started > 20_000) throw new Error(`demo did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toContain("new EchoClient(transport).say(");
      expect(out).toContain("curl -s -X POST");
      const base = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
      // The printed curl lines, done with fetch:
      const echo = await fetch(`${base}/echo`, { method: "POST", body: '{"intValue":"42","boolValue":true,"text":"hello"}' });
      expect(await echo.json()).toMatchObject({ intValue: "42", boolValue: true, text: "hello" });
      const note = await fetch(`${base}/notebooks/home/notes`, { method: "POST", body: '{"slug":"milk","title":"Buy milk","tags":["errand"]}' });
      const created = (await note.json()) as { id: string };
      const got = await fetch(`${base}/notebooks/home/notes/${created.id}`);
      expect(await got.json()).toMatchObject({ notebook: "home", slug: "milk", title: "Buy milk", tags: ["errand"] });
      const rpc = await fetch(`${base}/rpc`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"requestId":1,"method":"examples.echo.Echo.Say","input":{"text":"hi"}}' });
      expect(((await rpc.json()) as { output: { text: string } }).output.text).toBe("hi");
      demo.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      demo.kill("SIGKILL");
    }
  }, 40_000);
});
