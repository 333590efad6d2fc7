// Malformed frames get an error frame, never a crash: fast-check drives the frame decoder and
// dispatcher with random bytes, truncated envelopes and wrong ids, then a live server gets the
// same abuse and must still answer a valid request.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import { CallGate, Dispatcher, FrameHandler } from "rony-ts/runtime";
import { CONTAINER_ID, RPC_ERROR_ID, decodeContainer, decodeEnvelope, encodeContainer, encodeEnvelope, type Envelope } from "rony-ts/runtime/client";
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

/**
 * The request ids a frame's replies must carry, worked out from the envelope codec alone (not
 * from the frame handler under test): one per envelope of a container, one for a lone envelope,
 * one error (request id 0, or the container's) for a frame or container that does not decode.
 */
function expectedReplyIds(frame: Uint8Array): number[] {
  let env: Envelope;
  try {
    env = decodeEnvelope(frame);
  } catch {
    return [0];
  }
  if (env.constructorId !== CONTAINER_ID) return [env.requestId];
  try {
    return decodeContainer(env.payload).map((inner) => inner.requestId);
  } catch {
    return [env.requestId];
  }
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

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
        const announced = frames.binary(frame, peer);
        await settle();
        const expected = expectedReplyIds(frame);
        expect(announced).toBe(expected.length);
        expect(sorted(peer.binary.map((r) => r.requestId))).toEqual(sorted(expected));
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
    const requestArb = fc.record({ requestId: fc.oneof(fc.integer(), fc.string()), method: fc.oneof(fc.constant("examples.echo.Echo.Say"), fc.string()), input: fc.jsonValue({ maxDepth: 2 }) });
    const wellFormedArb = fc.record({ requestId: fc.nat({ max: 0xffffffff }), method: fc.constantFrom("examples.echo.Echo.Say", "examples.echo.Echo.Ping", "no.Such.Method"), input: fc.constant({ text: "hi" }) });
    // Each frame with the number of replies it must get: one for anything but a readable batch,
    // one per request for a batch of well-formed requests.
    const jsonArb: fc.Arbitrary<[string, number]> = fc.oneof(
      fc.string({ maxLength: 60 }).map((t): [string, number] => [t, 1]),
      fc.json({ maxDepth: 3 }).map((t): [string, number] => [t, 1]),
      requestArb.map((o): [string, number] => [JSON.stringify(o), 1]),
      fc.array(wellFormedArb, { maxLength: 4 }).map((list): [string, number] => [JSON.stringify({ envelopes: list }), list.length]),
    );
    await fc.assert(
      fc.asyncProperty(jsonArb, async ([text, expected]) => {
        const peer = new RecordingPeer();
        frames.text(text, peer);
        await settle();
        expect(peer.text).toHaveLength(expected);
        for (const reply of peer.text) expect(typeof (reply as { requestId?: unknown }).requestId).toBe("number");
      }),
      { numRuns: 2_000 },
    );
  }, 60_000);

  it("a live server answers 10,000 hostile frames on one connection, each with its replies, and still serves", async () => {
    // Calls in flight are capped per connection: lift the cap so every reply is the call's own, not a refusal.
    const { wsUrl } = await startDemo({ limits: { maxInFlightPerConnection: 1_000_000 } });
    const sock = new WebSocket(wsUrl);
    await new Promise((r) => sock.once("open", r));
    let errors = 0;
    const got: number[] = [];
    let last: Envelope | undefined;
    sock.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const env = decodeEnvelope(new Uint8Array(data));
      if (env.constructorId === RPC_ERROR_ID) errors++;
      if (env.requestId === 424242) last = env;
      else got.push(env.requestId);
    });
    const samples = fc.sample(frameArb, { numRuns: 10_000, seed: 42 });
    const expected = samples.flatMap(expectedReplyIds);
    for (const frame of samples) sock.send(frame);
    sock.send(encodeEnvelope({ constructorId: EchoIds.Say, requestId: 424242, payload: EchoRequest.encode({ intValue: 9n, boolValue: true, text: "still here" }).finish(), headers: {} }));
    await until(() => last !== undefined && got.length >= expected.length, 30_000);
    expect(sorted(got)).toEqual(sorted(expected));
    expect(last!.constructorId).toBe(MessageIds.EchoReply);
    expect(EchoReply.decode(last!.payload).text).toBe("still here");
    expect(errors).toBeGreaterThan(2_500);
    expect(sock.readyState).toBe(WebSocket.OPEN);
    sock.close();
  }, 60_000);
});
