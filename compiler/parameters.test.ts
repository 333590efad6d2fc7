import { describe, expect, it } from "vitest";
import { ParameterError } from "./diagnostics.js";
import { defaultParameters, parseParameters } from "./parameters.js";

describe("parseParameters", () => {
  it("defaults to the rony-ts runtime and .js imports", () => {
    expect(parseParameters("")).toEqual(defaultParameters);
  });

  it("reads every known parameter", () => {
    expect(parseParameters("runtime_import=@x/rt, import_extension=none")).toEqual({ runtimeImport: "@x/rt", importExtension: "" });
    expect(parseParameters("import_extension=ts").importExtension).toBe(".ts");
  });

  it("refuses unknown keys and bad values, naming what is allowed", () => {
    expect(() => parseParameters("target=ts")).toThrow(new ParameterError('unknown parameter "target"; known parameters: runtime_import, import_extension'));
    expect(() => parseParameters("import_extension=mjs")).toThrow(/import_extension=mjs is not one of: js, ts, none/);
    expect(() => parseParameters("runtime_import=")).toThrow(/runtime_import needs a module specifier/);
  });
});
