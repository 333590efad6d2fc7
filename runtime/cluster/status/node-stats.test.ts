import { describe, expect, it } from "vitest";
import { ErrorCode, RonyError } from "../../rpc/index.js";
import { NODE_STATS, validateNodeStats, type NodeStats } from "./node-stats.js";

const stats: NodeStats = {
  id: "1:2",
  replicaSet: "1",
  role: "leader",
  term: 3,
  leader: "1:2",
  commitIndex: 40,
  appliedIndex: 39,
  callsPerSecond: 12.5,
  runPerSecond: 10,
  slots: "0-8191",
  slotEpoch: 1,
  moving: "",
};

describe("NodeStats", () => {
  it("round-trips through its codec", () => {
    const bytes = NODE_STATS.output.encode(stats).finish();
    expect(NODE_STATS.output.decode(bytes)).toEqual(stats);
    expect(NODE_STATS.input.decode(NODE_STATS.input.encode({}).finish())).toEqual({});
  });

  it("keeps only its own fields", () => {
    expect(validateNodeStats({ ...stats, edgeAddress: "127.0.0.1:1", extra: [1] })).toEqual(stats);
  });

  it("refuses a malformed answer with INVALID_ARGUMENT naming the field", () => {
    const refused = (value: unknown, field: string) => {
      const e = (() => {
        try {
          validateNodeStats(value);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(RonyError);
      expect((e as RonyError).code).toBe(ErrorCode.INVALID_ARGUMENT);
      expect((e as Error).message).toContain(field);
    };
    refused([], "object");
    refused({ ...stats, role: "king" }, "role");
    refused({ ...stats, term: -1 }, "term");
    refused({ ...stats, commitIndex: 1.5 }, "commitIndex");
    refused({ ...stats, callsPerSecond: Number.NaN }, "callsPerSecond");
    refused({ ...stats, slots: 7 }, "slots");
    refused({ ...stats, slots: "0-99999" }, "slots");
    refused({ ...stats, id: "x".repeat(70_000) }, "id");
    expect(() => NODE_STATS.output.decode(new Uint8Array([0xff, 0xfe]))).toThrow(/not UTF-8 JSON/);
  });
});
