// A small HTTP/JSON front for the key/value store, for tests and tools:
//   POST /put {clientId, seq, key, value} → {revision, duplicate}
//   GET  /get?key=k → {value}            GET /status → the node's status
// Errors are {code, message, leader} with 421 for NOT_LEADER, 503 when the outcome is unknown.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { isRaftError } from "../core/errors.js";
import type { KvNode } from "./kv-node.js";

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "content-length": buf.length });
  res.end(buf);
};

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
};

const fail = (res: ServerResponse, e: unknown): void => {
  if (isRaftError(e)) {
    const status = e.code === "NOT_LEADER" ? 421 : e.code === "DECODE" || e.code === "INVALID_ARGUMENT" ? 400 : 503;
    send(res, status, { code: e.code, message: e.message, leader: e.leader });
  } else {
    send(res, 400, { code: "INVALID_ARGUMENT", message: e instanceof Error ? e.message : String(e), leader: 0 });
  }
};

export const startKvHttpServer = async (kv: KvNode, port: number, host = "127.0.0.1"): Promise<Server> => {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://x");
        if (req.method === "POST" && url.pathname === "/put") {
          const b = (await readJson(req)) as { clientId?: unknown; seq?: unknown; key?: unknown; value?: unknown };
          if (typeof b.clientId !== "string" || typeof b.seq !== "number" || typeof b.key !== "string" || typeof b.value !== "string")
            return send(res, 400, { code: "INVALID_ARGUMENT", message: "need clientId, seq, key, value", leader: 0 });
          return send(res, 200, await kv.put(b.clientId, b.seq, b.key, b.value));
        }
        if (req.method === "GET" && url.pathname === "/get") {
          const key = url.searchParams.get("key");
          if (key === null) return send(res, 400, { code: "INVALID_ARGUMENT", message: "need key", leader: 0 });
          const value = await kv.get(key);
          return send(res, 200, value === undefined ? {} : { value });
        }
        if (req.method === "GET" && url.pathname === "/status") return send(res, 200, kv.raft.status());
        send(res, 404, { code: "NOT_FOUND", message: url.pathname, leader: 0 });
      } catch (e) {
        fail(res, e);
      }
    })();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
};
