// Malformed frames get an error frame, never a crash: fast-check drives the frame decoder and
// dispatcher with random bytes, truncated envelopes and wrong ids, then a live server gets the
// same abuse and must still answer a valid request.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CallGate, Dispatcher, FrameHandler } from "rony-ts/runtime";
import { CONTAINER_ID, RPC_ERROR_ID, decodeEnvelope, encodeContainer, encodeEnvelope, type Envelope } from "rony-ts/runtime/client";
import { EchoIds, MessageIds, registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest } from "../../generated/examples/echo.js";
import { NotesIds, registerNotes } from "../../generated/examples/notes.rony.js";
import { EchoService } from "../../demo/echo-service.js";
import { MemoryNotesStore } from "../../demo/notes-store.js";
import { NotesService } from "../../demo/notes-service.js";
import { RecordingPeer, settle } from "./recording-peer.js";
import { startDemo, until } from "./harness.js";

const knownIds = [EchoIds.Say, EchoIds.Ping, ...Object.values(NotesIds), CONTAINER_ID];
const idArb = fc.oneof(fc.constantFrom(...knownIds), fc.integer({ min: 0, max: 0xffffffff }));
const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  constructorId: idArb,
  requestId: fc.integer({ min: 0, max: 0xffffffff }),
  payload: fc.oneof(fc.uint8Array({ maxLength: 80 }), fc.constant(EchoRequest.encode({ intValue: 1n, boolValue: true, text: "ok" }).finish())),
  headers: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 2 }),
});

/** Random bytes, whole envelopes with random ids/payloads, truncated ones, and containers of them. */
const frameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 120 }),
  envelopeArb.map(encodeEnvelope),
  fc.tuple(envelopeArb, fc.nat()).map(([e, cut]) => {
    const bytes = encodeEnvelope(e);
    return bytes.subarray(0, cut % (bytes.length + 1));
  }),
  fc.array(envelopeArb, { maxLength: 4 }).map((list) => encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 1, payload: encodeContainer(list), headers: {} })),
  fc.uint8Array({ maxLength: 60 }).map((junk) => encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 2, payload: junk, headers: {} })),
);

function handler() {
  const dispatcher = new Dispatcher();
  dispatcher.onError = () => {};
  registerEcho(dispatcher, new EchoService());
  registerNotes(dispatcher, new NotesService(new MemoryNotesStore()));
  return new FrameHandler(dispatcher, new CallGate(), "ws");
}

describe("fuzzing the frame path", () => {
  it("10,000 hostile binary frames: every one gets exactly its replies, all readable envelopes", async () => {
    const frames = handler();
    await fc.assert(
      fc.asyncProperty(frameArb, async (frame) => {
        const peer = new RecordingPeer();
        const expected = frames.binary(frame, peer);
        await settle();
        expect(peer.binary).toHaveLength(expected);
        expect(peer.inFlight).toBe(0);
        for (const reply of peer.binary) expect(reply.constructorId).not.toBe(0);
      }),
      { numRuns: 10_000 },
    );
    // Still serving:
    const peer = new RecordingPeer();
    frames.binary(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 1, payload: EchoRequest.encode({ intValue: 3n, boolValue: false, text: "alive" }).finish(), headers: {} }), peer);
    await settle();
    expect(EchoReply.decode(peer.binary[0]!.payload).text).toBe("alive");
  }, 60_000);

  it("2,000 hostile JSON text frames: each answered with JSON, never a crash", async () => {
    const frames = handler();
    const jsonArb = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.json({ maxDepth: 3 }),
      fc.record({ requestId: fc.oneof(fc.integer(), fc.string()), method: fc.oneof(fc.constant("examples.echo.Echo.Say"), fc.string()), input: fc.jsonValue({ maxDepth: 2 }) }).map((o) => JSON.stringify(o)),
    );
    await fc.assert(
      fc.asyncProperty(jsonArb, async (text) => {
        const peer = new RecordingPeer();
        const expected = frames.text(text, peer).replies;
        await settle();
        expect(peer.text).toHaveLength(expected);
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);

  it("a live server survives 2,000 hostile frames on one connection and still answers", async () => {
    const { wsUrl } = await startDemo();
    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    let errors = 0;
    const replies = new Map<number, Envelope>();
    sock.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const env = decodeEnvelope(new Uint8Array(data));
      if (env.constructorId === RPC_ERROR_ID) errors++;
      replies.set(env.requestId, env);
    });
    const samples = fc.sample(frameArb, { numRuns: 2_000, seed: 42 });
    for (const frame of samples) sock.send(frame);
    sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 424242, payload: EchoRequest.encode({ intValue: 9n, boolValue: true, text: "still here" }).finish(), headers: {} }));
    await until(() => replies.has(424242), 10_000);
    const last = replies.get(424242)!;
    expect(last.constructorId).toBe(MessageIds.EchoReply);
    expect(EchoReply.decode(last.payload).text).toBe("still here");
    expect(errors).toBeGreaterThan(500);
    expect(sock.readyState).toBe(WebSocket.OPEN);
    sock.close();
  });
});
