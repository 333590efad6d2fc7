// Reads an HTTP request body from uWS, bounded by a byte limit.
import type { HttpResponse } from "uWebSockets.js";
import { ByteSlab } from "./byte-slab.js";

export interface Exchange {
  aborted: boolean;
  /** Told when the client goes away (a streamed response stops its stream). */
  onAbort?: () => void;
}

const bodyCopies = new ByteSlab();

/**
 * Starts reading the body. `done` gets the bytes, or undefined when the body went over `limit`.
 * uWS chunks are only valid during onData, so they are copied: a body in one chunk (the usual
 * case) into a shared slab (byte-slab.ts), not an ArrayBuffer of its own.
 */
export function readBody(res: HttpResponse, limit: number, done: (body: Uint8Array | undefined) => void): void {
  let chunks: Uint8Array[] | undefined;
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
    if (isLast && chunks === undefined) {
      done(bodyCopies.copy(new Uint8Array(chunk)));
      return;
    }
    (chunks ??= []).push(new Uint8Array(chunk.slice(0)));
    if (!isLast) return;
    const body = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      body.set(c, at);
      at += c.length;
    }
    done(body);
  });
}
