// Server streams over HTTP/1.1 (a streamed response of length-prefixed envelopes) through the
// generated Ticker client on HttpTransport; client and bidi streams answer UNIMPLEMENTED.
import { describe, expect, it } from "vitest";
import { EdgeServer } from "rony-ts/runtime";
import { ErrorCode, HttpTransport, NO_HEADERS, RonyError, encodeEnvelope, rpcErrorFromJson } from "rony-ts/runtime/client";
import { TickerClient, TickerIds, registerTicker } from "../../generated/examples/ticker.rony.js";
import { TickerService } from "../../demo/ticker-service.js";
import { start, until } from "./harness.js";

async function serve() {
  const service = new TickerService();
  const server = new EdgeServer({ host: "127.0.0.1" });
  registerTicker(server, service);
  const started = await start(server);
  return { ...started, service, client: new TickerClient(new HttpTransport(started.httpUrl)) };
}

const count = (n: bigint, extra: { failAfter?: bigint; everyMs?: number } = {}) => ({ from: 0n, count: n, failAfter: extra.failAfter ?? 0n, everyMs: extra.everyMs ?? 0, pad: 0 });

async function failure(run: () => Promise<unknown>): Promise<RonyError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof RonyError) return e;
    throw e;
  }
  throw new Error("expected a RonyError");
}

describe("server streams over HTTP", () => {
  it("deliver every output in order, then end", async () => {
    const { client } = await serve();
    const got: bigint[] = [];
    for await (const t of client.count(count(3000n))) got.push(t.n);
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => BigInt(i)));
  });

  it("fail mid-stream with the handler's error", async () => {
    const { client } = await serve();
    const got: bigint[] = [];
    const error = await failure(async () => {
      for await (const t of client.count(count(10n, { failAfter: 4n }))) got.push(t.n);
    });
    expect(error.code).toBe(ErrorCode.ABORTED);
    expect(got).toEqual([0n, 1n, 2n, 3n]);
  });

  it("are cancelled on the server when the client leaves the loop", async () => {
    const { client, service } = await serve();
    let seen = 0;
    for await (const _ of client.count(count(0n, { everyMs: 2 }))) if (++seen === 3) break;
    await until(() => service.finished === 1);
  });

  it("end with DEADLINE_EXCEEDED at the deadline", async () => {
    const { client, service } = await serve();
    const error = await failure(async () => {
      for await (const _ of client.count(count(0n, { everyMs: 5 }), { timeoutMs: 60 })) void _;
    });
    expect(error.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    await until(() => service.finished === 1);
  });
});

describe("client and bidi streams over HTTP", () => {
  it("fail with UNIMPLEMENTED in the client, before any request", async () => {
    const { client } = await serve();
    expect((await failure(() => client.sum([{ n: 1n, note: "" }]))).code).toBe(ErrorCode.UNIMPLEMENTED);
    const error = await failure(async () => {
      for await (const _ of client.echo([{ n: 1n, note: "" }])) void _;
    });
    expect(error.code).toBe(ErrorCode.UNIMPLEMENTED);
    expect(error.message).toMatch(/HTTP\/1\.1 carries server streams only/);
  });

  it("get 501 and a clear UNIMPLEMENTED from the server when POSTed anyway", async () => {
    const { httpUrl } = await serve();
    const body = encodeEnvelope({ constructorId: TickerIds.Sum, requestId: 1, payload: new Uint8Array(0), headers: NO_HEADERS as Record<string, string> });
    const res = await fetch(`${httpUrl}/rpc`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body });
    expect(res.status).toBe(501);
    const error = rpcErrorFromJson(await res.json());
    expect(error.code).toBe(ErrorCode.UNIMPLEMENTED);
    expect(error.description).toBe("examples.ticker.Ticker.Sum is a client stream: HTTP/1.1 carries server streams only; use the WebSocket");
  });
});
