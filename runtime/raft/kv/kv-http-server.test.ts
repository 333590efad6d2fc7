// The HTTP front bounds what a client can make it hold: bodies above maxBodyBytes are refused
// unread (413), and a connection that stalls is closed; a real single-server store behind it.
import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../node/test-cluster.js";
import { startKvHttpServer } from "./kv-http-server.js";
import { KvNode } from "./kv-node.js";

let kv: KvNode;
let server: Server;
let port: number;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "kv-http-"));
  const raftPort = await freePort();
  kv = await KvNode.start({ id: 1, dataDir: dir, peers: new Map([[1, { host: "127.0.0.1", port: raftPort }]]), bootstrap: [1], tickMs: 10, walSegmentBytes: 1024 * 1024 });
  await kv.raft.waitForLeader();
  port = await freePort();
  server = await startKvHttpServer(kv, port, { maxBodyBytes: 64 * 1024, idleTimeoutMs: 300 });
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  await kv.stop();
  await rm(dir, { recursive: true, force: true });
});

/** Writes raw request bytes, then resolves with everything the server sent once it closes (or after waitMs). */
const raw = (head: string, body: Buffer, waitMs = 5_000): Promise<{ reply: string; closed: boolean; ms: number }> =>
  new Promise((resolve) => {
    const t0 = Date.now();
    const s = connect(port, "127.0.0.1", () => s.write(Buffer.concat([Buffer.from(head), body])));
    let reply = "";
    const t = setTimeout(() => {
      s.destroy();
      resolve({ reply, closed: false, ms: Date.now() - t0 });
    }, waitMs);
    s.on("data", (d: Buffer) => (reply += d.toString()));
    s.on("error", () => undefined);
    s.on("close", () => {
      clearTimeout(t);
      resolve({ reply, closed: true, ms: Date.now() - t0 });
    });
  });

const put = (body: string) => fetch(`http://127.0.0.1:${port}/put`, { method: "POST", headers: { "content-type": "application/json" }, body });

describe("key/value HTTP front limits", () => {
  it("serves a put and a get within the limits", async () => {
    const res = await put(JSON.stringify({ clientId: "c", seq: 1, key: "k", value: "v" }));
    expect(res.status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/get?key=k`)).json()).toEqual({ value: "v" });
  });

  it("answers 413 to a declared 50 MB body without waiting for it, and closes the connection", async () => {
    const head = `POST /put HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${50 * 1024 * 1024}\r\n\r\n`;
    const r = await raw(head, Buffer.alloc(1000, 0x20));
    expect(r.reply).toMatch(/^HTTP\/1.1 413/);
    expect(r.reply).toContain('"code":"PAYLOAD_TOO_LARGE"');
    expect(r.closed).toBe(true);
  });

  it("answers 413 to a chunked body once it passes maxBodyBytes", async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const chunked = Buffer.concat(Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from("\r\n")])));
    const r = await raw("POST /put HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n", chunked);
    expect(r.reply).toMatch(/^HTTP\/1.1 413/);
    expect(r.closed).toBe(true);
  });

  it("answers 413 ENTRY_TOO_LARGE to a value the node's maxEntryBytes refuses", async () => {
    const big = await startKvHttpServer(kv, await freePort(), { maxBodyBytes: 4 * 1024 * 1024 });
    try {
      const { port: p } = big.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${p}/put`, { method: "POST", body: JSON.stringify({ clientId: "c", seq: 2, key: "k", value: "x".repeat(2 * 1024 * 1024) }) });
      expect(res.status).toBe(413);
      expect(((await res.json()) as { code: string }).code).toBe("ENTRY_TOO_LARGE");
    } finally {
      await new Promise((r) => big.close(r));
    }
  });

  it("closes a connection that sends half a body and stalls, after idleTimeoutMs", async () => {
    const head = "POST /put HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n";
    const r = await raw(head, Buffer.from('{"clientId":'));
    expect(r.closed).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(250);
    expect(r.ms).toBeLessThan(4_000);
  });
});
