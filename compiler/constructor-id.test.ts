import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { constructorId, formatConstructorId } from "./constructor-id.js";

describe("constructorId (FNV-1a 32-bit of the full name)", () => {
  it("matches the published FNV-1a test vectors", () => {
    expect(constructorId("")).toBe(0x811c9dc5);
    expect(constructorId("a")).toBe(0xe40c292c);
    expect(constructorId("foobar")).toBe(0xbf9cf968);
  });

  it("is stable for the names our examples use (changing these breaks every deployed client)", () => {
    expect(formatConstructorId(constructorId("examples.echo.Echo.Say"))).toBe("0xbaff8aa1");
    expect(formatConstructorId(constructorId("examples.echo.EchoReply"))).toBe("0x2a10bb20");
  });

  it("always yields an unsigned 32-bit integer, hashing UTF-8 bytes", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme" }), (name) => {
        const id = constructorId(name);
        expect(Number.isInteger(id) && id >= 0 && id <= 0xffffffff).toBe(true);
        expect(constructorId(name)).toBe(id);
      }),
    );
    expect(constructorId("ü")).not.toBe(constructorId("\u00fc".normalize("NFD")));
  });
});
