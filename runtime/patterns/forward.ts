// Sends a pattern call to another instance: `POST /` on its edge with the message as the body
// and the chosen pattern in a header, over kept-alive HTTP connections.
import { Agent, request } from "node:http";
import { ErrorCode, RonyError, rpcErrorFromJson } from "../rpc/index.js";

/** The header naming the registered pattern the caller chose; the instance runs exactly that one. */
export const PATTERN_HEADER = "rony-pattern";

const agent = new Agent({ keepAlive: true });

// Connection errors that mean no byte of the request reached the instance.
const NEVER_SENT = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL"]);

/** Why a forward failed before the instance could have run anything: safe to try another. */
export class InstanceUnreachable extends Error {
  constructor(
    readonly address: string,
    readonly reason: string,
  ) {
    super(`${address}: ${reason}`);
  }
}

// Hop-by-hop and framing headers belong to one connection, never forwarded.
const NOT_FORWARDED = new Set(["host", "connection", "content-length", "content-type", "transfer-encoding", "keep-alive", "upgrade", PATTERN_HEADER]);

export function forwardedHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (!NOT_FORWARDED.has(k.toLowerCase())) out[k] = v;
  return out;
}

/**
 * Resolves with the instance's JSON output; rejects with the instance's RonyError, with
 * InstanceUnreachable when the call surely did not reach it (refused connection, or a reused
 * connection the peer had closed), or with UNAVAILABLE / DEADLINE_EXCEEDED otherwise.
 */
export function forward(address: string, pattern: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  const colon = address.lastIndexOf(":");
  const host = address.slice(0, colon).replace(/^\[|\]$/g, "");
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host,
        port: Number(address.slice(colon + 1)),
        method: "POST",
        path: "/",
        headers: { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(body), [PATTERN_HEADER]: pattern },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => reject(new RonyError(ErrorCode.UNAVAILABLE, `${address} failed while answering: ${e.message}`)));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new RonyError(ErrorCode.INTERNAL, `unreadable reply from ${address} (HTTP ${res.statusCode})`));
            return;
          }
          if (res.statusCode === 200) resolve(parsed);
          else reject(rpcErrorFromJson(parsed));
        });
      },
    );
    req.on("timeout", () => req.destroy(new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${address} did not answer ${pattern} in ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      if (e instanceof RonyError) reject(e);
      else if (NEVER_SENT.has(e.code ?? "") || (req.reusedSocket && e.code === "ECONNRESET")) reject(new InstanceUnreachable(address, e.code ?? "ECONNRESET"));
      else reject(new RonyError(ErrorCode.UNAVAILABLE, `${address} failed: ${e.message}`));
    });
    req.end(body);
  });
}
