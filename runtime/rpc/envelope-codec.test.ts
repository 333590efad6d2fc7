import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Envelope as TsEnvelope, MessageContainer as TsContainer } from "../../generated/rony/envelope.js";
import { NO_HEADERS, decodeContainer, decodeEnvelope, decodeEnvelopeHead, encodeContainer, encodeEnvelope, encodeReply, newEnvelopeHead, type Envelope } from "./envelope-codec.js";
import { RonyError, ErrorCode } from "./errors.js";

const envelopeArb: fc.Arbitrary<Envelope> = fc.record({
  constructorId: fc.integer({ min: 0, max: 0xffffffff }),
  requestId: fc.integer({ min: 0, max: 0xffffffff }),
  payload: fc.uint8Array({ maxLength: 300 }),
  headers: fc.dictionary(fc.string({ unit: "grapheme", maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 20 }), { maxKeys: 4 }),
});

const plain = (e: Envelope) => ({ ...e, payload: Array.from(e.payload), headers: { ...e.headers } });

describe("envelope codec (wire-compatible with the generated rony.Envelope codec)", () => {
  it("encodes byte for byte what the generated codec encodes", () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        expect(encodeEnvelope(env)).toEqual(TsEnvelope.encode(env).finish());
      }),
      { numRuns: 2000 },
    );
  });

  it("decodes what the generated codec encodes, and the generated codec decodes what it encodes", () => {
    fc.assert(
      fc.property(envelopeArb, (env) => {
        expect(plain(decodeEnvelope(TsEnvelope.encode(env).finish()))).toEqual(plain(env));
        expect(plain(TsEnvelope.decode(encodeEnvelope(env)))).toEqual(plain(env));
      }),
      { numRuns: 2000 },
    );
  });

  it("reads an envelope's head as decodeEnvelope reads the envelope: plain frames (its fast path), near misses and any bytes", () => {
    const head = newEnvelopeHead();
    const outcome = (read: () => Envelope) => {
      try {
        return { value: plain(read()) };
      } catch (e) {
        return { threw: (e as RonyError).message };
      }
    };
    const viaHead = (frame: Uint8Array): Envelope => {
      decodeEnvelopeHead(frame, head);
      return { constructorId: head.constructorId, requestId: head.requestId, headers: head.headers, payload: frame.subarray(head.payloadStart, head.payloadEnd) };
    };
    const plainFrame = envelopeArb.map((e) => encodeEnvelope({ ...e, headers: {} }));
    // A plain frame cut short, lengthened, or with one byte changed.
    const nearMiss = fc.tuple(plainFrame, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom("cut", "grow", "flip")).map(([f, at, byte, how]) => {
      const i = f.length === 0 ? 0 : at % f.length;
      if (how === "cut") return f.subarray(0, i);
      if (how === "grow") return Uint8Array.from([...f, byte]);
      const g = f.slice();
      if (g.length > 0) g[i] = byte;
      return g;
    });
    fc.assert(
      fc.property(fc.oneof(plainFrame, nearMiss, envelopeArb.map(encodeEnvelope), fc.uint8Array({ maxLength: 64 })), (frame) => {
        expect(outcome(() => viaHead(frame))).toEqual(outcome(() => decodeEnvelope(frame)));
      }),
      { numRuns: 5000 },
    );
  });

  it("containers round-trip both ways", () => {
    fc.assert(
      fc.property(fc.array(envelopeArb, { maxLength: 5 }), (envelopes) => {
        const ours = encodeContainer(envelopes);
        expect(ours).toEqual(TsContainer.encode({ envelopes }).finish());
        expect(decodeContainer(ours).map(plain)).toEqual(envelopes.map(plain));
      }),
      { numRuns: 1000 },
    );
  });

  it("encodeReply writes a header-less envelope equal to encodeEnvelope's, into scratch when it fits", () => {
    const scratch = new Uint8Array(64);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.uint8Array({ maxLength: 100 }), (c, r, p) => {
        const bytes = encodeReply(scratch, c, r, p);
        expect(Array.from(bytes)).toEqual(Array.from(encodeEnvelope({ constructorId: c, requestId: r, payload: p, headers: {} })));
      }),
      { numRuns: 1000 },
    );
  });

  it("skips unknown fields like the generated codec does", () => {
    // field 9 varint, field 10 fixed64, field 11 bytes, then constructor id and request id
    const bytes = Uint8Array.from([0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5a, 2, 9, 9, 13, 1, 0, 0, 0, 16, 7]);
    expect(plain(decodeEnvelope(bytes))).toEqual(plain(TsEnvelope.decode(bytes)));
    expect(decodeEnvelope(bytes).requestId).toBe(7);
  });

  it("random bytes: a typed INVALID_ARGUMENT or the same result as the generated codec, never another exception", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        let ours: Envelope | undefined;
        try {
          ours = decodeEnvelope(bytes);
        } catch (e) {
          expect(RonyError.is(e, ErrorCode.INVALID_ARGUMENT)).toBe(true);
          return;
        }
        let theirs: TsEnvelope | undefined;
        try {
          theirs = TsEnvelope.decode(bytes);
        } catch {
          return; // the generated codec refuses some frames we can read (e.g. bad UTF-8 in keys); fine
        }
        expect(plain(ours)).toEqual(plain(theirs));
      }),
      { numRuns: 5000 },
    );
  });

  it("truncated envelopes are refused with a typed error", () => {
    fc.assert(
      fc.property(envelopeArb.filter((e) => e.payload.length > 0), fc.nat(), (env, cut) => {
        const bytes = encodeEnvelope(env);
        // Cut inside the payload field (its last byte is always payload or header data).
        const end = bytes.length - 1 - (cut % Math.max(1, Math.min(env.payload.length, bytes.length - 1)));
        const truncated = bytes.subarray(0, end);
        try {
          decodeEnvelope(truncated);
        } catch (e) {
          expect(RonyError.is(e, ErrorCode.INVALID_ARGUMENT)).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
    expect(() => decodeEnvelope(Uint8Array.from([26, 10, 1, 2]))).toThrow(/length past the end/);
  });

  it("a header named __proto__ stays data and pollutes nothing", () => {
    const bytes = encodeEnvelope({ constructorId: 1, requestId: 1, payload: new Uint8Array(0), headers: JSON.parse('{"__proto__":"x","polluted":"y"}') });
    const env = decodeEnvelope(bytes);
    expect(Object.keys(env.headers).sort()).toEqual(["__proto__", "polluted"]);
    expect(env.headers["__proto__"]).toBe("x");
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("an envelope without headers shares the frozen empty object", () => {
    expect(decodeEnvelope(encodeEnvelope({ constructorId: 1, requestId: 2, payload: new Uint8Array(0), headers: {} })).headers).toBe(NO_HEADERS);
  });
});
