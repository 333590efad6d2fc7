// Streaming rpcs over the edge WebSocket, through the generated Ticker client: every kind, with
// order, end, errors mid-stream, cancels from either side, deadlines and flow control.
import { afterEach, describe, expect, it } from "vitest";
import { EdgeServer, type EdgeContext } from "rony-ts/runtime";
import { ErrorCode, RonyError, WebSocketTransport } from "rony-ts/runtime/client";
import type { Tick } from "../../generated/examples/ticker.js";
import { TickerClient, registerTicker } from "../../generated/examples/ticker.rony.js";
import { TickerService } from "../../demo/ticker-service.js";
import { start, until } from "./harness.js";

const transports: WebSocketTransport[] = [];
afterEach(() => {
  for (const t of transports.splice(0)) t.close();
});

async function serve(service = new TickerService(), limits: ConstructorParameters<typeof EdgeServer>[0] = {}) {
  const server = new EdgeServer({ host: "127.0.0.1", ...limits });
  registerTicker(server, service);
  const started = await start(server);
  const transport = new WebSocketTransport(started.wsUrl, { reconnect: false });
  transports.push(transport);
  return { ...started, service, transport, client: new TickerClient(transport) };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function failure(p: Promise<unknown>): Promise<RonyError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RonyError) return e;
    throw e;
  }
  throw new Error("expected a RonyError");
}

function ticks(n: number, note = (_i: number) => ""): Tick[] {
  return Array.from({ length: n }, (_, i) => ({ n: BigInt(i + 1), note: note(i + 1) }));
}

async function* slowly<T>(items: T[], ms: number): AsyncIterable<T> {
  for (const x of items) {
    await new Promise((r) => setTimeout(r, ms));
    yield x;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("server streams", () => {
  it("deliver every output in order, then end", async () => {
    const { client } = await serve();
    const got = await collect(client.count({ from: 10n, count: 500n, failAfter: 0n, everyMs: 0, pad: 0 }));
    expect(got.map((t) => t.n)).toEqual(Array.from({ length: 500 }, (_, i) => BigInt(10 + i)));
  });

  it("fail mid-stream with the handler's error, after the outputs before it", async () => {
    const { client } = await serve();
    const got: bigint[] = [];
    const error = await failure((async () => {
      for await (const t of client.count({ from: 0n, count: 100n, failAfter: 5n, everyMs: 0, pad: 0 })) got.push(t.n);
    })());
    expect(got).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(error.code).toBe(ErrorCode.ABORTED);
  });

  it("are cancelled by the client leaving the loop: the server's generator finishes", async () => {
    const { client, service, server } = await serve();
    const got: bigint[] = [];
    for await (const t of client.count({ from: 0n, count: 0n, failAfter: 0n, everyMs: 1, pad: 0 })) {
      got.push(t.n);
      if (got.length === 3) break;
    }
    expect(got).toEqual([0n, 1n, 2n]);
    await until(() => service.finished === 1);
    const conn = [...server.connections.values()][0]!;
    expect(conn.streams?.size ?? 0).toBe(0);
  });

  it("are cancelled by the server shutting down: the client gets UNAVAILABLE", async () => {
    const { client, server } = await serve();
    const got: bigint[] = [];
    const error = await failure((async () => {
      for await (const t of client.count({ from: 0n, count: 0n, failAfter: 0n, everyMs: 2, pad: 0 })) {
        got.push(t.n);
        if (got.length === 2) void server.shutdown();
      }
    })());
    expect(error.code).toBe(ErrorCode.UNAVAILABLE);
    expect(got.length).toBeGreaterThanOrEqual(2);
  });

  it("end with DEADLINE_EXCEEDED at the call's deadline, and the server stops the handler", async () => {
    const { client, service } = await serve();
    const error = await failure(collect(client.count({ from: 0n, count: 0n, failAfter: 0n, everyMs: 5, pad: 0 }, { timeoutMs: 60 })));
    expect(error.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    await until(() => service.finished === 1);
  });

  it("carry 10k outputs to a slow reader with at most a window of them produced ahead", async () => {
    let produced = 0;
    const service = new TickerService();
    service.count = async function* (input) {
      for (let i = 0n; i < input.count; i++) {
        produced++;
        yield { n: i, note: "y".repeat(input.pad) };
      }
    };
    const { wsUrl } = await serve(service);
    const window = 64;
    const transport = new WebSocketTransport(wsUrl, { reconnect: false, streamWindow: window });
    transports.push(transport);
    let read = 0;
    let maxAhead = 0;
    for await (const t of new TickerClient(transport).count({ from: 0n, count: 10_000n, failAfter: 0n, everyMs: 0, pad: 1024 })) {
      expect(t.n).toBe(BigInt(read));
      read++;
      maxAhead = Math.max(maxAhead, produced - read);
      if (read % 500 === 0) await sleep(5); // the slow reader
    }
    expect(read).toBe(10_000);
    // Produced ahead of the reader: the window in flight, plus the one the generator holds.
    expect(maxAhead).toBeLessThanOrEqual(window + 1);
  }, 30_000);
});

describe("client streams", () => {
  it("deliver every input in order, and the one output at the end", async () => {
    const { client } = await serve();
    const total = await client.sum(ticks(1000));
    expect(total).toEqual({ sum: 500500n, count: 1000n });
  });

  it("take inputs from an async iterable, and from an empty one", async () => {
    const { client } = await serve();
    expect(await client.sum(slowly(ticks(5), 1))).toEqual({ sum: 15n, count: 5n });
    expect(await client.sum([])).toEqual({ sum: 0n, count: 0n });
  });

  it("fail with the handler's error mid-stream, and stop sending", async () => {
    const service = new TickerService();
    service.sum = async (inputs) => {
      for await (const t of inputs) if (t.n === 3n) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "no threes");
      return { sum: 0n, count: 0n };
    };
    const { client } = await serve(service);
    let pulled = 0;
    async function* endless(): AsyncIterable<Tick> {
      for (let n = 1n; ; n++) {
        pulled++;
        yield { n, note: "" };
      }
    }
    const error = await failure(client.sum(endless()));
    expect(error.code).toBe(ErrorCode.INVALID_ARGUMENT);
    const after = pulled;
    await sleep(30);
    expect(pulled).toBe(after); // the client stopped pulling inputs
  });

  it("fail on the client when its inputs throw, and cancel the call on the server", async () => {
    let serverSaw: unknown;
    const service = new TickerService();
    service.sum = async (inputs) => {
      try {
        for await (const _ of inputs) void _;
      } catch (e) {
        serverSaw = e;
        throw e;
      }
      return { sum: 0n, count: 0n };
    };
    const { client } = await serve(service);
    async function* broken(): AsyncIterable<Tick> {
      yield { n: 1n, note: "" };
      await sleep(10);
      throw new Error("the source broke");
    }
    const error = await failure(client.sum(broken()));
    expect(error.code).toBe(ErrorCode.CANCELLED);
    expect(error.message).toMatch(/the source broke/);
    await until(() => serverSaw !== undefined);
    expect((serverSaw as RonyError).code).toBe(ErrorCode.CANCELLED);
  });

  it("are cancelled by the client's abort signal", async () => {
    const { client } = await serve();
    const controller = new AbortController();
    const pending = client.sum(slowly(ticks(1000), 5), { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    expect((await failure(pending)).code).toBe(ErrorCode.CANCELLED);
  });

  it("end with DEADLINE_EXCEEDED when the inputs outlast the deadline", async () => {
    const { client } = await serve();
    expect((await failure(client.sum(slowly(ticks(1000), 5), { timeoutMs: 50 }))).code).toBe(ErrorCode.DEADLINE_EXCEEDED);
  });

  it("carry 10k inputs to a slow handler with at most a window of them sent ahead", async () => {
    let read = 0;
    let pulled = 0;
    let maxAhead = 0;
    const service = new TickerService();
    service.sum = async (inputs) => {
      let sum = 0n;
      for await (const t of inputs) {
        sum += t.n;
        read++;
        if (read % 500 === 0) await sleep(5);
      }
      return { sum, count: BigInt(read) };
    };
    const window = 32;
    const { client } = await serve(service, { limits: { streamWindow: window } });
    async function* inputs(): AsyncIterable<Tick> {
      for (let i = 1; i <= 10_000; i++) {
        pulled++;
        maxAhead = Math.max(maxAhead, pulled - read);
        yield { n: BigInt(i), note: "z".repeat(256) };
      }
    }
    expect(await client.sum(inputs())).toEqual({ sum: 50005000n, count: 10000n });
    expect(maxAhead).toBeLessThanOrEqual(window + 2);
  }, 30_000);
});

describe("bidirectional streams", () => {
  it("echo every input in order, then end when the inputs end", async () => {
    const { client } = await serve();
    const got = await collect(client.echo(ticks(300)));
    expect(got.map((t) => t.n)).toEqual(ticks(300).map((t) => t.n));
  });

  it("fail mid-stream with the handler's error", async () => {
    const { client } = await serve();
    const got: bigint[] = [];
    const error = await failure((async () => {
      for await (const t of client.echo(slowly(ticks(10, (i) => (i === 4 ? "fail" : "")), 1))) got.push(t.n);
    })());
    expect(error.code).toBe(ErrorCode.FAILED_PRECONDITION);
    expect(got).toEqual([1n, 2n, 3n]);
  });

  it("are cancelled by the client leaving the loop, and the handler's inputs end with CANCELLED", async () => {
    let serverSaw: unknown;
    const service = new TickerService();
    service.echo = async function* (inputs) {
      try {
        for await (const t of inputs) yield t;
      } catch (e) {
        serverSaw = e;
      }
    };
    const { client } = await serve(service);
    async function* endless(): AsyncIterable<Tick> {
      for (let n = 1n; ; n++) {
        await sleep(1);
        yield { n, note: "" };
      }
    }
    let seen = 0;
    for await (const _ of client.echo(endless())) if (++seen === 5) break;
    await until(() => serverSaw !== undefined);
    expect((serverSaw as RonyError).code).toBe(ErrorCode.CANCELLED);
  });

  it("end early when the server stops reading and returns (the server's side of a cancel)", async () => {
    const service = new TickerService();
    service.echo = async function* (inputs) {
      for await (const t of inputs) {
        yield t;
        if (t.n === 2n) return;
      }
    };
    const { client, transport } = await serve(service);
    const got = await collect(client.echo(slowly(ticks(100), 1)));
    expect(got.map((t) => t.n)).toEqual([1n, 2n]);
    expect(transport.openStreams).toBe(0);
  });

  it("end with DEADLINE_EXCEEDED at the deadline", async () => {
    const { client } = await serve();
    expect((await failure(collect(client.echo(slowly(ticks(1000), 5), { timeoutMs: 50 })))).code).toBe(ErrorCode.DEADLINE_EXCEEDED);
  });

  it("carry 10k messages through a slow reader with bounded buffering on the server", async () => {
    const { client, server } = await serve(undefined, { limits: { streamWindow: 64 } });
    let read = 0;
    let maxBuffered = 0;
    for await (const t of client.echo(ticks(10_000, () => "w".repeat(512)))) {
      read++;
      expect(t.n).toBe(BigInt(read));
      if (read % 1000 === 0) {
        await sleep(10);
        maxBuffered = Math.max(maxBuffered, ...[...server.connections.values()].map((c) => c.bufferedAmount));
      }
    }
    expect(read).toBe(10_000);
    // Two windows of 64 × ~530-byte frames at most can be on their way: far under the 1 MiB high-water mark.
    expect(maxBuffered).toBeLessThan(128 * 1024);
  }, 30_000);
});

describe("stream protocol edges", () => {
  it("keeps unary calls and other streams going while one stream's reader is stalled", async () => {
    const { client } = await serve();
    const stalled = client.count({ from: 0n, count: 0n, failAfter: 0n, everyMs: 0, pad: 0 })[Symbol.asyncIterator]();
    await stalled.next(); // opened, then never read again
    const other = await collect(client.count({ from: 0n, count: 1000n, failAfter: 0n, everyMs: 0, pad: 0 }));
    expect(other.length).toBe(1000);
    expect(await client.sum(ticks(3))).toEqual({ sum: 6n, count: 3n });
    await stalled.return?.();
  });

  it("runs middleware `before` hooks when a stream opens; a refusal ends the stream", async () => {
    const { client, server } = await serve();
    server.use({
      name: "auth",
      before(ctx: EdgeContext) {
        if (ctx.headers["token"] !== "ok") throw new RonyError(ErrorCode.UNAUTHENTICATED, "no token");
      },
    });
    expect((await failure(collect(client.count({ from: 0n, count: 3n, failAfter: 0n, everyMs: 0, pad: 0 })))).code).toBe(ErrorCode.UNAUTHENTICATED);
    const got = await collect(client.count({ from: 0n, count: 3n, failAfter: 0n, everyMs: 0, pad: 0 }, { headers: { token: "ok" } }));
    expect(got.length).toBe(3);
  });

  it("fails open streams with UNAVAILABLE when the connection drops", async () => {
    const { client, server } = await serve();
    const error = failure(collect(client.count({ from: 0n, count: 0n, failAfter: 0n, everyMs: 1, pad: 0 })));
    await until(() => [...server.connections.values()].some((c) => (c.streams?.size ?? 0) > 0));
    for (const c of server.connections.values()) c.close(1011, "test");
    expect((await error).code).toBe(ErrorCode.UNAVAILABLE);
  });
});
