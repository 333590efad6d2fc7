import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeConfChange, decodeMessage, encodeConfChange, encodeMessage } from "./codec.js";
import { isRaftError } from "./errors.js";
import type { Message } from "./types.js";
import { ConfChangeType, MessageType, msg } from "./types.js";

const u53 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const bytes = fc.uint8Array({ maxLength: 40 });
const entry = fc.record({ term: u53, index: u53, type: fc.constantFrom(0 as const, 1 as const), data: bytes });
const message: fc.Arbitrary<Message> = fc
  .record({
    type: fc.constantFrom(...Object.values(MessageType)),
    from: u32,
    to: u32,
    term: u53,
    logTerm: u53,
    index: u53,
    commit: u53,
    rejectHint: u53,
    reject: fc.boolean(),
    entries: fc.array(entry, { maxLength: 4 }),
    snapshot: fc.option(fc.record({ meta: fc.record({ index: u53, term: u53, confState: fc.record({ voters: fc.array(u32, { maxLength: 5 }) }) }), data: bytes }), { nil: undefined }),
    context: fc.option(bytes, { nil: undefined }),
  })
  .map((m) => {
    const out: Message = { ...m };
    if (m.snapshot === undefined) delete out.snapshot;
    if (m.context === undefined) delete out.context;
    return out;
  });

describe("binary codec", () => {
  it("round-trips every message", () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeMessage(encodeMessage(m))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it("rejects every truncation of a message with a typed DECODE error", () => {
    const b = encodeMessage(msg({ type: MessageType.App, from: 1, to: 2, term: 3, entries: [{ term: 3, index: 4, type: 0, data: new Uint8Array([1, 2, 3]) }] }));
    for (let n = 0; n < b.length; n++) {
      let err: unknown;
      try {
        decodeMessage(b.subarray(0, n));
      } catch (e) {
        err = e;
      }
      expect(isRaftError(err, "DECODE")).toBe(true);
    }
  });

  it("round-trips conf changes and rejects unknown kinds", () => {
    expect(decodeConfChange(encodeConfChange({ type: ConfChangeType.RemoveNode, nodeId: 7 }))).toEqual({ type: ConfChangeType.RemoveNode, nodeId: 7 });
    expect(() => decodeConfChange(new Uint8Array([9, 0, 0, 0, 0]))).toThrow(/DECODE/);
  });
});
