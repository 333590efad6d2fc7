import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RegistryError, StaticRegistry, decodeEntry, encodeEntry, type NodeAnnouncement } from "../../runtime/registry/index.js";

const node: NodeAnnouncement = {
  id: "n1",
  replicaSet: "rs1",
  edgeAddress: "127.0.0.1:8080",
  tunnelAddress: "[::1]:9090",
  role: "leader",
  leaderTerm: 3,
  patterns: ["cmd:sum,role:math"],
  slots: "0-8191,9000",
  slotEpoch: 2,
};

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.code;
    throw e;
  }
  return "none";
};

describe("registry entries", () => {
  it("round-trip, signed and unsigned", () => {
    expect(decodeEntry(encodeEntry(node))).toEqual(node);
    expect(decodeEntry(encodeEntry(node, "s3cret"), "s3cret", "n1")).toEqual(node);
  });

  it.each([
    ["not JSON", "{"],
    ["no body", "{}"],
    ["a body that is not JSON", JSON.stringify({ body: "{" })],
    ["a missing field", JSON.stringify({ body: JSON.stringify({ ...node, edgeAddress: undefined }) })],
    ["an address without a port", JSON.stringify({ body: JSON.stringify({ ...node, edgeAddress: "127.0.0.1" }) })],
    ["port 0", JSON.stringify({ body: JSON.stringify({ ...node, edgeAddress: "h:0" }) })],
    ["an unknown role", JSON.stringify({ body: JSON.stringify({ ...node, role: "king" }) })],
    ["a negative term", JSON.stringify({ body: JSON.stringify({ ...node, leaderTerm: -1 }) })],
    ["patterns that are not strings", JSON.stringify({ body: JSON.stringify({ ...node, patterns: [1] }) })],
    ["slots that are not ranges", JSON.stringify({ body: JSON.stringify({ ...node, slots: "0-8191;9000" }) })],
    ["slots that are a number", JSON.stringify({ body: JSON.stringify({ ...node, slots: 5 }) })],
    ["a fractional slot epoch", JSON.stringify({ body: JSON.stringify({ ...node, slotEpoch: 1.5 }) })],
    ["a negative slot epoch", JSON.stringify({ body: JSON.stringify({ ...node, slotEpoch: -1 }) })],
    ["an id with a space", JSON.stringify({ body: JSON.stringify({ ...node, id: "a b" }) })],
  ])("refuses %s as MALFORMED_ENTRY", (_, text) => {
    expect(codeOf(() => decodeEntry(text))).toBe("MALFORMED_ENTRY");
  });

  it("reads an entry written before slots existed as serving none, at epoch 0", () => {
    const { slots: _s, slotEpoch: _e, ...older } = node;
    expect(decodeEntry(JSON.stringify({ body: JSON.stringify(older) }))).toEqual({ ...node, slots: "", slotEpoch: 0 });
  });

  it("refuses an entry stored under another node's id", () => {
    expect(codeOf(() => decodeEntry(encodeEntry(node), undefined, "n2"))).toBe("MALFORMED_ENTRY");
  });

  it("with a cluster secret, refuses unsigned, wrongly signed and tampered entries as FORGED_ENTRY", () => {
    const signed = JSON.parse(encodeEntry(node, "s3cret")) as { body: string; sig: string };
    expect(codeOf(() => decodeEntry(encodeEntry(node), "s3cret"))).toBe("FORGED_ENTRY");
    expect(codeOf(() => decodeEntry(encodeEntry(node, "other"), "s3cret"))).toBe("FORGED_ENTRY");
    const tampered = JSON.stringify({ body: signed.body.replace("8080", "6666"), sig: signed.sig });
    expect(codeOf(() => decodeEntry(tampered, "s3cret"))).toBe("FORGED_ENTRY");
    expect(codeOf(() => decodeEntry(JSON.stringify({ body: signed.body, sig: 42 }), "s3cret"))).toBe("FORGED_ENTRY");
  });

  it("any text at all is either an announcement or a RegistryError, never another exception", () => {
    const bodies = fc.oneof(fc.json().map((body) => JSON.stringify({ body })), fc.jsonValue().map((v) => JSON.stringify({ body: JSON.stringify(v) })), fc.string());
    fc.assert(
      fc.property(bodies, fc.option(fc.string(), { nil: undefined }), (text, secret) => {
        expect(["none", "MALFORMED_ENTRY", "FORGED_ENTRY"]).toContain(codeOf(() => decodeEntry(text, secret)));
      }),
      { numRuns: 2000 },
    );
  });

  it("a static registry refuses a malformed node naming its position", () => {
    expect(() => new StaticRegistry([node, { ...node, id: "n2", edgeAddress: "nowhere" }])).toThrow(/#1: edgeAddress "nowhere" is not host:port/);
  });
});
