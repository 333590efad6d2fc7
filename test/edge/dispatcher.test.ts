import { describe, expect, it, vi } from "vitest";
import { EchoService as EchoDescriptor, EchoIds, MessageIds, registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest, Pong } from "../../generated/examples/echo.js";
import { CallGate, Dispatcher, FrameHandler, type EdgeContext, type Via } from "rony-ts/runtime";
import { ErrorCode, RPC_ERROR_ID, RonyError, decodeRpcError, encodeEnvelope, type Envelope } from "rony-ts/runtime/rpc";
import { RecordingPeer, settle } from "./recording-peer.js";

const say = EchoDescriptor.methods.say;
const request = { intValue: 7n, boolValue: true, text: "hi" };
const frame = (constructorId: number, requestId: number, payload = EchoRequest.encode(request).finish(), headers: Record<string, string> = {}) =>
  encodeEnvelope({ constructorId, requestId, payload, headers });

function setup(via: Via = "ws") {
  const dispatcher = new Dispatcher();
  dispatcher.onError = () => {};
  registerEcho(dispatcher, {
    say: async (input) => ({ ...input, serverTime: 1n }),
    ping: async () => ({ nodeId: "n" }),
  });
  return { dispatcher, frames: new FrameHandler(dispatcher, new CallGate(), via), peer: new RecordingPeer() };
}

function errorOf(env: Envelope): RonyError {
  expect(env.constructorId).toBe(RPC_ERROR_ID);
  return decodeRpcError(env.payload);
}

describe("Dispatcher and frame handler", () => {
  it("decodes, dispatches and encodes a reply with the output's constructor id", async () => {
    const { frames, peer } = setup();
    frames.binary(frame(EchoIds.Say, 5), peer);
    await settle();
    expect(peer.binary).toHaveLength(1);
    expect(peer.binary[0]!.requestId).toBe(5);
    expect(peer.binary[0]!.constructorId).toBe(MessageIds.EchoReply);
    expect(EchoReply.decode(peer.binary[0]!.payload)).toEqual({ ...request, serverTime: 1n });
  });

  it("runs middleware in order: global before, method before, handler, method after, global after", async () => {
    const { dispatcher, frames, peer } = setup();
    const order: string[] = [];
    dispatcher.add(
      { ...say, constructorId: 1234, name: "Logged" },
      async (input: EchoRequest, ctx: EdgeContext) => {
        order.push(`handler auth=${String(ctx.auth)} h=${ctx.headers["x-trace"]}`);
        return { ...input, serverTime: 0n };
      },
    );
    dispatcher.use({ before: (ctx) => void (order.push("global before"), (ctx.auth = "alice")), after: () => void order.push("global after") });
    dispatcher.useFor({ ...say, constructorId: 1234 }, { before: async () => void order.push("method before"), after: () => void order.push("method after") });
    frames.binary(frame(1234, 1, undefined, { "x-trace": "t1" }), peer);
    await settle();
    expect(order).toEqual(["global before", "method before", "handler auth=alice h=t1", "method after", "global after"]);
    expect(peer.binary[0]!.constructorId).toBe(MessageIds.EchoReply);
  });

  it("a before can short-circuit with a reply or a typed error; the handler does not run, afters still do", async () => {
    const { dispatcher, frames, peer } = setup();
    const handler = vi.fn(async (input: EchoRequest) => ({ ...input, serverTime: 0n }));
    dispatcher.add({ ...say, constructorId: 99, name: "Guarded" }, handler);
    const seen: string[] = [];
    dispatcher.use({
      before(ctx) {
        if (ctx.headers["token"] === "cached") ctx.stop({ intValue: 1n, boolValue: false, text: "from cache", serverTime: 0n });
        else if (ctx.headers["token"] !== "ok") throw new RonyError(ErrorCode.UNAUTHENTICATED, "no token");
      },
      after(ctx) {
        seen.push(ctx.error ? ErrorCode[ctx.error.code]! : "ok");
      },
    });
    dispatcher.use({ before: () => void seen.push("second before") });
    frames.binary(frame(99, 1), peer);
    frames.binary(frame(99, 2, undefined, { token: "cached" }), peer);
    frames.binary(frame(99, 3, undefined, { token: "ok" }), peer);
    await settle();
    const byId = new Map(peer.binary.map((e) => [e.requestId, e]));
    expect(errorOf(byId.get(1)!).code).toBe(ErrorCode.UNAUTHENTICATED);
    expect(EchoReply.decode(byId.get(2)!.payload).text).toBe("from cache");
    expect(EchoReply.decode(byId.get(3)!.payload).text).toBe("hi");
    expect(handler).toHaveBeenCalledTimes(1);
    // "second before" ran only for the call that was neither refused nor answered from cache
    expect(seen.filter((s) => s === "second before")).toHaveLength(1);
    expect(seen.filter((s) => s !== "second before").sort()).toEqual(["UNAUTHENTICATED", "ok", "ok"]);
  });

  it("an after may replace the outcome, and stop() in an after skips the remaining afters", async () => {
    const { dispatcher, frames, peer } = setup();
    const last = vi.fn();
    dispatcher.use({ after: last }); // global: runs after the method's
    dispatcher.useFor(say, {
      after(ctx) {
        ctx.error = new RonyError(ErrorCode.PERMISSION_DENIED, "redacted");
        ctx.stop();
      },
    });
    frames.binary(frame(EchoIds.Say, 1), peer);
    await settle();
    expect(errorOf(peer.binary[0]!).code).toBe(ErrorCode.PERMISSION_DENIED);
    expect(last).not.toHaveBeenCalled();
  });

  it("a thrown handler becomes a typed INTERNAL error for that caller only", async () => {
    const { dispatcher, frames, peer } = setup();
    const reported: unknown[] = [];
    dispatcher.onError = (e) => reported.push(e);
    dispatcher.add({ ...say, constructorId: 77, name: "Broken" }, async (input: EchoRequest) => {
      if (input.text === "boom") throw new TypeError("secret detail");
      return { ...input, serverTime: 0n };
    });
    frames.binary(frame(77, 1, EchoRequest.encode({ ...request, text: "boom" }).finish()), peer);
    frames.binary(frame(77, 2), peer);
    await settle();
    const byId = new Map(peer.binary.map((e) => [e.requestId, e]));
    const err = errorOf(byId.get(1)!);
    expect(err.code).toBe(ErrorCode.INTERNAL);
    expect(err.description).not.toContain("secret");
    expect(byId.get(2)!.constructorId).toBe(MessageIds.EchoReply);
    expect(reported).toHaveLength(1);
    expect(String(reported[0])).toContain("secret detail");
  });

  it("an unknown constructor gets UNIMPLEMENTED with the id", async () => {
    const { frames, peer } = setup();
    frames.binary(frame(0xdeadbeef, 4), peer);
    const err = errorOf(peer.binary[0]!);
    expect(err.code).toBe(ErrorCode.UNIMPLEMENTED);
    expect(err.description).toContain("0xdeadbeef");
    expect(peer.binary[0]!.requestId).toBe(4);
  });

  it("internal rpcs are refused from WebSocket and HTTP, served to cluster tunnels", async () => {
    for (const via of ["ws", "http"] as const) {
      const { frames, peer } = setup(via);
      frames.binary(frame(EchoIds.Ping, 1, new Uint8Array(0)), peer);
      expect(errorOf(peer.binary[0]!).code).toBe(ErrorCode.UNIMPLEMENTED);
    }
    const { frames, peer } = setup("tunnel");
    frames.binary(frame(EchoIds.Ping, 1, new Uint8Array(0)), peer);
    await settle();
    expect(peer.binary[0]!.constructorId).toBe(MessageIds.Pong);
    expect(Pong.decode(peer.binary[0]!.payload)).toEqual({ nodeId: "n" });
  });

  it("a payload that is not the rpc's input gets INVALID_ARGUMENT", async () => {
    const { frames, peer } = setup();
    frames.binary(frame(EchoIds.Say, 3, Uint8Array.from([0x1a, 0x05, 0x61])), peer);
    expect(errorOf(peer.binary[0]!).code).toBe(ErrorCode.INVALID_ARGUMENT);
    expect(peer.inFlight).toBe(0);
  });

  it("refuses calls over the peer's in-flight limit with RESOURCE_EXHAUSTED", async () => {
    const { dispatcher, frames } = setup();
    const peer = new RecordingPeer(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    dispatcher.add({ ...say, constructorId: 55, name: "Slow" }, async (input: EchoRequest) => {
      await gate;
      return { ...input, serverTime: 0n };
    });
    for (let i = 1; i <= 3; i++) frames.binary(frame(55, i), peer);
    expect(errorOf(peer.binary[0]!).code).toBe(ErrorCode.RESOURCE_EXHAUSTED);
    expect(peer.binary[0]!.requestId).toBe(3);
    release();
    await settle();
    expect(peer.binary.map((e) => e.requestId).sort()).toEqual([1, 2, 3]);
    expect(peer.inFlight).toBe(0);
  });

  it("a handler that returns a plain value is answered at once, before any promise step; one that throws synchronously gets INTERNAL", async () => {
    const { dispatcher, frames, peer } = setup();
    dispatcher.add({ ...say, constructorId: 4321, name: "Plain" }, (input: EchoRequest): EchoReply => ({ ...input, serverTime: 2n }));
    dispatcher.add({ ...say, constructorId: 4322, name: "Throws" }, (): EchoReply => {
      throw new Error("boom");
    });
    frames.binary(frame(4321, 1), peer);
    expect(peer.binary).toHaveLength(1); // no await: the reply was sent synchronously
    expect(EchoReply.decode(peer.binary[0]!.payload)).toEqual({ ...request, serverTime: 2n });
    frames.binary(frame(4322, 2), peer);
    await settle();
    expect(peer.binary[1]!.requestId).toBe(2);
    expect(errorOf(peer.binary[1]!).code).toBe(ErrorCode.INTERNAL);
    expect(peer.inFlight).toBe(0);
  });

  it("a chain of synchronous middleware around a plain handler is answered at once, with no promise step", () => {
    const { dispatcher, frames, peer } = setup();
    const order: string[] = [];
    dispatcher.add({ ...say, constructorId: 4400, name: "Counted" }, (input: EchoRequest): EchoReply => (order.push("handler"), { ...input, serverTime: 3n }));
    dispatcher.use({ before: () => void order.push("before"), after: (ctx) => void (order.push("after"), ctx.output !== undefined && ((ctx.output as EchoReply).serverTime = 4n)) });
    frames.binary(frame(4400, 1), peer);
    expect(peer.binary).toHaveLength(1); // no await
    expect(order).toEqual(["before", "handler", "after"]);
    expect(EchoReply.decode(peer.binary[0]!.payload)).toEqual({ ...request, serverTime: 4n });
    // A synchronous before that stops without an answer: CANCELLED, still at once; one that throws: its typed error.
    dispatcher.useFor(
      { ...say, constructorId: 4400 },
      {
        before: (ctx) => {
          if (ctx.headers["x-stop"] === "1") ctx.stop();
          if (ctx.headers["x-throw"] === "1") throw new RonyError(ErrorCode.PERMISSION_DENIED, "no");
        },
      },
    );
    frames.binary(frame(4400, 2, undefined, { "x-stop": "1" }), peer);
    frames.binary(frame(4400, 3, undefined, { "x-throw": "1" }), peer);
    expect(peer.binary.map((e) => e.requestId)).toEqual([1, 2, 3]);
    expect(errorOf(peer.binary[1]!).code).toBe(ErrorCode.CANCELLED);
    expect(errorOf(peer.binary[2]!).code).toBe(ErrorCode.PERMISSION_DENIED);
    expect(peer.inFlight).toBe(0);
  });

  it("a chain that mixes synchronous and asynchronous steps keeps their order and waits only where a step returns a promise", async () => {
    const { dispatcher, frames, peer } = setup();
    const order: string[] = [];
    const later = (what: string) => new Promise<void>((r) => setTimeout(() => r(void order.push(what)), 5));
    dispatcher.add({ ...say, constructorId: 4500, name: "Mixed" }, (input: EchoRequest): EchoReply => (order.push("handler"), { ...input, serverTime: 5n }));
    dispatcher.use({ before: () => void order.push("before 1"), after: () => later("after 2") });
    dispatcher.use({ before: () => later("before 2"), after: () => void order.push("after 1") });
    dispatcher.use({ before: () => void order.push("before 3") });
    frames.binary(frame(4500, 1), peer);
    expect(order).toEqual(["before 1"]);
    expect(peer.binary).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(order).toEqual(["before 1", "before 2", "before 3", "handler", "after 1", "after 2"]);
    expect(EchoReply.decode(peer.binary[0]!.payload)).toEqual({ ...request, serverTime: 5n });
    // An asynchronous after that rejects sets the error; a synchronous one before it already ran.
    dispatcher.useFor({ ...say, constructorId: 4500 }, { after: async () => Promise.reject(new RonyError(ErrorCode.ABORTED, "late")) });
    frames.binary(frame(4500, 2), peer);
    await new Promise((r) => setTimeout(r, 40));
    expect(errorOf(peer.binary[1]!).code).toBe(ErrorCode.ABORTED);
    expect(peer.inFlight).toBe(0);
  });

  it("a hand-written codec (decode(bytes), encode ignoring the writer) gets the payload bytes and its own bytes are sent, while generated codecs share the edge's reader and writer", async () => {
    const { dispatcher, frames, peer } = setup();
    const text = new TextDecoder();
    const json = {
      encode: (m: { n: number }) => ({ finish: () => new TextEncoder().encode(JSON.stringify(m)) }),
      decode: (bytes: Uint8Array) => JSON.parse(text.decode(bytes)) as { n: number },
      fromJSON: (o: unknown) => o as { n: number },
      toJSON: (m: { n: number }) => m,
      fromPartial: (o: never) => o as { n: number },
    };
    dispatcher.add({ ...say, constructorId: 4400, name: "Json", input: json, output: json, outputConstructorId: 4401, shardKey: undefined }, (input: { n: number }) => ({ n: input.n + 1 }));
    frames.binary(frame(4400, 1, new TextEncoder().encode('{"n":41}')), peer);
    frames.binary(frame(EchoIds.Say, 2), peer);
    frames.binary(frame(4400, 3, new TextEncoder().encode('{"n":1}')), peer);
    await settle();
    expect(peer.binary.map((e) => e.requestId).sort()).toEqual([1, 2, 3]);
    const byId = new Map(peer.binary.map((e) => [e.requestId, e]));
    expect(JSON.parse(text.decode(byId.get(1)!.payload))).toEqual({ n: 42 });
    expect(byId.get(1)!.constructorId).toBe(4401);
    expect(EchoReply.decode(byId.get(2)!.payload)).toEqual({ ...request, serverTime: 1n });
    expect(JSON.parse(text.decode(byId.get(3)!.payload))).toEqual({ n: 2 });
  });

  it("registering one rpc twice is a programming error", () => {
    const { dispatcher } = setup();
    expect(() => dispatcher.add(say, async () => ({ ...request, serverTime: 0n }))).toThrow(/registered twice/);
  });
});
