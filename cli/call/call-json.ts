// One call as a JSON frame (runtime/edge/json-frames.ts) over a WebSocket or the HTTP RPC
// endpoint: the server decodes and encodes the messages, so the CLI needs no codecs.
import WebSocket from "ws";
import { CliError } from "../project/errors.js";

export interface CallReply {
  readonly output?: unknown;
  readonly error?: { code: string; description: string; items: string };
}

/** ws(s)://host:port → /ws, http(s)://host:port → /rpc; a URL with a path keeps it. */
export function endpointOf(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CliError(`"${url}" is not a URL (e.g. ws://localhost:8080 or http://localhost:8080)`);
  }
  const ws = u.protocol === "ws:" || u.protocol === "wss:";
  if (!ws && u.protocol !== "http:" && u.protocol !== "https:") throw new CliError(`"${url}": use ws://, wss://, http:// or https://`);
  if (u.pathname === "/" || u.pathname === "") u.pathname = ws ? "/ws" : "/rpc";
  return u;
}

function readReply(text: string): CallReply {
  let reply: unknown;
  try {
    reply = JSON.parse(text);
  } catch {
    throw new CliError(`the server did not answer with a JSON frame: ${text.slice(0, 200)}`, 1);
  }
  return reply as CallReply;
}

export async function callJson(endpoint: URL, method: string, input: unknown, headers: Record<string, string>, timeoutMs: number): Promise<CallReply> {
  const frame = JSON.stringify({ requestId: 1, method, input, headers });
  const signal = AbortSignal.timeout(timeoutMs);
  if (endpoint.protocol === "http:" || endpoint.protocol === "https:") {
    let res: Response;
    try {
      res = await fetch(endpoint, { method: "POST", headers: { "content-type": "application/json" }, body: frame, signal });
    } catch (e) {
      throw new CliError(`cannot reach ${endpoint.href}: ${(e as Error).message}`, 1);
    }
    return readReply(await res.text());
  }
  return new Promise<CallReply>((resolve, reject) => {
    const socket = new WebSocket(endpoint);
    const fail = (why: string) => {
      socket.terminate();
      reject(new CliError(why, 1));
    };
    signal.addEventListener("abort", () => fail(`no reply from ${endpoint.href} within ${timeoutMs} ms`));
    socket.on("open", () => socket.send(frame));
    socket.on("message", (data, isBinary) => {
      if (isBinary) return; // pushes; the reply to a text frame is text
      const text = (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data)).toString("utf8");
      try {
        resolve(readReply(text));
      } catch (e) {
        reject(e as Error);
      }
      socket.close();
    });
    socket.on("error", (e) => fail(`cannot reach ${endpoint.href}: ${e.message}`));
  });
}
