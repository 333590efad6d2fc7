// Starts real edge servers on free ports for tests, and stops whatever a test left running.
import { createServer } from "node:net";
import { afterEach } from "vitest";
import { EdgeServer, type EdgeServerOptions } from "rony-ts/runtime";
import { demoServer } from "../../demo/server.js";

const running = new Set<EdgeServer>();

afterEach(async () => {
  await Promise.all([...running].map((s) => s.shutdown()));
  running.clear();
});

export interface Started<S = EdgeServer> {
  server: S;
  port: number;
  wsUrl: string;
  httpUrl: string;
}

/** Listens on a free port (or `port`); stopped after the test. */
export async function start(server: EdgeServer, port = 0): Promise<Started> {
  running.add(server);
  const bound = await server.listen(port);
  return { server, port: bound, wsUrl: `ws://127.0.0.1:${bound}/ws`, httpUrl: `http://127.0.0.1:${bound}` };
}

/** The demo's Echo + Notes server. */
export function startDemo(options: EdgeServerOptions<unknown> = {}, port = 0): Promise<Started> {
  return start(demoServer({ host: "127.0.0.1", ...options }), port);
}

/** A promise and the functions that settle it, for handlers a test holds open. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A port that is free now. Restart tests listen on a fixed port from the start: uWS sets
 * SO_REUSEADDR only for fixed ports, and Linux lets a new listener past the old connections'
 * TIME_WAIT only when both sides had it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
