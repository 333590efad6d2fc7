// A small HTTP/JSON front for the key/value store, for tests and tools:
//   POST /put {clientId, seq, key, value} → {revision, duplicate}
//   GET  /get?key=k → {value}            GET /status → the node's status
// Errors are {code, message, leader}: 400 for a bad request, 413 for a body above maxBodyBytes (or
// an entry above the node's maxEntryBytes), 421 for NOT_LEADER, 503 otherwise (no leader, outcome
// unknown). Bodies are bounded and connections that stall are closed (see KvHttpOptions).
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer } from "node:http";
import { RaftError, isRaftError } from "../core/errors.js";
import type { KvNode } from "./kv-node.js";

export interface KvHttpOptions {
  host?: string;
  /** Largest request body (default 1 MiB): a larger one is answered 413 PAYLOAD_TOO_LARGE unread, and the connection closed. */
  maxBodyBytes?: number;
  /** A connection that receives and sends nothing for this long is closed (default 30 s): a stalled upload, an idle keep-alive. */
  idleTimeoutMs?: number;
  /** A request (headers and body) must arrive whole within this (default 60 s): a slow drip is closed too. */
  requestTimeoutMs?: number;
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  const buf = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "content-type": "application/json", "content-length": buf.length });
  res.end(buf);
};

class PayloadTooLarge extends Error {}

/** Reads a JSON body of at most max bytes; a larger one is refused before it is buffered. */
const readJson = async (req: IncomingMessage, max: number): Promise<unknown> => {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > max) throw new PayloadTooLarge(`a body of ${declared} bytes exceeds maxBodyBytes ${max}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > max) throw new PayloadTooLarge(`a body above maxBodyBytes ${max}`);
    chunks.push(c as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
};

const fail = (res: ServerResponse, e: unknown): void => {
  if (e instanceof PayloadTooLarge) {
    // the rest of the body is not read: close the connection rather than drain it
    const socket = res.req.socket;
    res.setHeader("connection", "close");
    res.once("finish", () => socket?.destroySoon());
    send(res, 413, { code: "PAYLOAD_TOO_LARGE", message: e.message, leader: 0 });
  } else if (isRaftError(e)) {
    const status =
      e.code === "NOT_LEADER" ? 421 : e.code === "ENTRY_TOO_LARGE" ? 413 : e.code === "DECODE" || e.code === "INVALID_ARGUMENT" ? 400 : 503;
    send(res, status, { code: e.code, message: e.message, leader: e.leader });
  } else {
    send(res, 400, { code: "INVALID_ARGUMENT", message: e instanceof Error ? e.message : String(e), leader: 0 });
  }
};

export const startKvHttpServer = async (kv: KvNode, port: number, options: string | KvHttpOptions = {}): Promise<Server> => {
  const o = typeof options === "string" ? { host: options } : options;
  const host = o.host ?? "127.0.0.1";
  const maxBodyBytes = o.maxBodyBytes ?? 1024 * 1024;
  const idleTimeoutMs = o.idleTimeoutMs ?? 30_000;
  const requestTimeoutMs = o.requestTimeoutMs ?? 60_000;
  if (idleTimeoutMs <= 0 || requestTimeoutMs <= 0 || maxBodyBytes <= 0)
    throw new RaftError("INVALID_CONFIG", "maxBodyBytes, idleTimeoutMs and requestTimeoutMs must be > 0");
  // Node checks requestTimeout on this interval (30 s by default): check often enough to honour it
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, requestTimeoutMs / 4) }, (req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? "/", "http://x");
        if (req.method === "POST" && url.pathname === "/put") {
          const b = (await readJson(req, maxBodyBytes)) as { clientId?: unknown; seq?: unknown; key?: unknown; value?: unknown };
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
  // an idle socket (no 'timeout' listener on the server) is destroyed
  server.timeout = idleTimeoutMs;
  server.keepAliveTimeout = Math.min(60_000, idleTimeoutMs);
  server.requestTimeout = requestTimeoutMs;
  server.headersTimeout = Math.min(60_000, requestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
};
