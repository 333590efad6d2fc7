import { describe, expect, it } from "vitest";
import { encodeCommand } from "./kv-command.js";
import { KvStateMachine } from "./kv-state-machine.js";

describe("key/value state machine with client sessions", () => {
  it("applies puts and deletes", () => {
    const kv = new KvStateMachine();
    kv.apply(1, encodeCommand({ clientId: "a", seq: 1, op: "put", key: "k", value: "v" }));
    expect(kv.get("k")).toBe("v");
    kv.apply(2, encodeCommand({ clientId: "a", seq: 2, op: "delete", key: "k" }));
    expect(kv.get("k")).toBeUndefined();
  });

  it("applies a retried proposal once and answers it as the first time", () => {
    const kv = new KvStateMachine();
    const first = kv.apply(1, encodeCommand({ clientId: "a", seq: 1, op: "put", key: "k", value: "1" }));
    kv.apply(2, encodeCommand({ clientId: "b", seq: 1, op: "put", key: "k", value: "2" }));
    // the retry of a's request lands later in the log: it must not overwrite b's value
    const retry = kv.apply(3, encodeCommand({ clientId: "a", seq: 1, op: "put", key: "k", value: "1" }));
    expect(kv.get("k")).toBe("2");
    expect(retry).toEqual({ revision: first!.revision, duplicate: true });
  });

  it("survives a snapshot round trip, sessions included", () => {
    const kv = new KvStateMachine();
    kv.apply(1, encodeCommand({ clientId: "a", seq: 5, op: "put", key: "k", value: "v" }));
    const copy = new KvStateMachine();
    copy.restore(kv.snapshot());
    expect(copy.get("k")).toBe("v");
    expect(copy.apply(2, encodeCommand({ clientId: "a", seq: 5, op: "put", key: "k", value: "w" }))?.duplicate).toBe(true);
    expect(copy.get("k")).toBe("v");
  });

  it("ignores the leader's empty no-op entries and rejects malformed commands with a typed error", () => {
    const kv = new KvStateMachine();
    expect(kv.apply(1, new Uint8Array(0))).toBeUndefined();
    expect(() => kv.apply(2, new TextEncoder().encode("{"))).toThrow(/DECODE/);
  });
});
