import { describe, expect, it } from "vitest";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { decodeRpcError, encodeRpcError } from "../../rpc/rpc-error-codec.js";
import { SlotElsewhereError } from "./errors.js";

describe("SlotElsewhereError", () => {
  it("comes back whole from a peer's reply: slot, owner, epoch and moving", () => {
    for (const sent of [new SlotElsewhereError(12182, 2, 7, false), new SlotElsewhereError(5, undefined, 1, false), new SlotElsewhereError(16383, 3, 9, true)]) {
      const received = SlotElsewhereError.from(decodeRpcError(encodeRpcError(sent)));
      expect(received).toBeInstanceOf(SlotElsewhereError);
      expect({ ...received }).toEqual({ ...sent });
      expect(received?.message).toBe(sent.message);
    }
  });

  it("is not read into other errors", () => {
    expect(SlotElsewhereError.from(new RonyError(ErrorCode.UNAVAILABLE, "no leader"))).toBeUndefined();
    expect(SlotElsewhereError.from(new RonyError(ErrorCode.INTERNAL, "x", "slot-elsewhere:1:2:3:moved"))).toBeUndefined();
    expect(SlotElsewhereError.from(new RonyError(ErrorCode.UNAVAILABLE, "x", "slot-elsewhere:1:2:3:lost"))).toBeUndefined();
    expect(SlotElsewhereError.from(new Error("slot-elsewhere:1:2:3:moved"))).toBeUndefined();
  });
});
