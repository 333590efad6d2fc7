import fc from "fast-check";
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratedFile, importSymbol, relativeModule } from "./generated-file.js";

describe("GeneratedFile", () => {
  it("writes one import line per module, type-only where possible, and renames clashes", () => {
    const f = new GeneratedFile("a/x.rony.ts", ["// header"]);
    f.declare("Thing");
    const thing = importSymbol("Thing", "./x.js");
    f.print("const a: ", importSymbol("Thing", "./x.js", true), " = ", thing, ";");
    f.print("let p: ", importSymbol("Promise", "./y.js", true), ";");
    f.print("let q: ", importSymbol("Transport", "rt/rpc", true), ";");
    expect(f.toString()).toBe(
      [
        "// header",
        'import type { Transport } from "rt/rpc";',
        'import { Thing as Thing$1 } from "./x.js";',
        'import type { Promise as Promise$ } from "./y.js";',
        "",
        "const a: Thing$1 = Thing$1;",
        "let p: Promise$;",
        "let q: Transport;",
        "",
      ].join("\n"),
    );
  });
});

describe("relativeModule", () => {
  it("points from one output file to another module", () => {
    expect(relativeModule("a/b/x.rony.ts", "a/b/x", ".js")).toBe("./x.js");
    expect(relativeModule("a/b/x.rony.ts", "a/c/y", ".js")).toBe("../c/y.js");
    expect(relativeModule("x.rony.ts", "google/protobuf/empty", "")).toBe("./google/protobuf/empty");
  });

  it("always resolves back to the target (property)", () => {
    const segment = fc.stringMatching(/^[a-z][a-z0-9_]{0,5}$/);
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 4 }), fc.array(segment, { minLength: 1, maxLength: 4 }), (from, to) => {
        const fromFile = `${from.join("/")}.rony.ts`;
        const spec = relativeModule(fromFile, to.join("/"), ".js");
        expect(posix.normalize(posix.join(posix.dirname(fromFile), spec))).toBe(`${to.join("/")}.js`);
      }),
    );
  });
});
