// Reads an HTTP request body from uWS, bounded by a byte limit.
import type { HttpResponse } from "uWebSockets.js";

export interface Exchange {
  aborted: boolean;
}

/**
 * Starts reading the body. `done` gets the bytes, or undefined when the body went over `limit`.
 * uWS chunks are only valid during onData, so they are copied.
 */
export function readBody(res: HttpResponse, limit: number, done: (body: Uint8Array | undefined) => void): void {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let over = false;
  res.onData((chunk: ArrayBuffer, isLast: boolean) => {
    if (over) return;
    size += chunk.byteLength;
    if (size > limit) {
      over = true;
      done(undefined);
      return;
    }
    chunks.push(new Uint8Array(chunk.slice(0)));
    if (!isLast) return;
    if (chunks.length === 1) {
      done(chunks[0]!);
      return;
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    done(body);
  });
}
