import { describe, expect, it } from "vitest";
import { ParameterError } from "./diagnostics.js";
import { defaultParameters, parseParameters } from "./parameters.js";

describe("parseParameters", () => {
  it("defaults to the rony-ts runtime and .js imports", () => {
    expect(parseParameters("")).toEqual(defaultParameters);
  });

  it("reads every known parameter", () => {
    expect(parseParameters("runtime_import=@x/rt, import_extension=none, messages=none, openapi=file")).toEqual({
      runtimeImport: "@x/rt",
      importExtension: "",
      messages: "none",
      openapi: "file",
      streaming: "generate",
    });
    expect(parseParameters("streaming=skip").streaming).toBe("skip");
    expect(parseParameters("openapi=package").openapi).toBe("package");
    expect(parseParameters("import_extension=ts").importExtension).toBe(".ts");
  });

  it("refuses unknown keys and bad values, naming what is allowed", () => {
    expect(() => parseParameters("target=ts")).toThrow(new ParameterError('unknown parameter "target"; known parameters: runtime_import, import_extension, messages, openapi, streaming'));
    expect(() => parseParameters("import_extension=mjs")).toThrow(/import_extension=mjs is not one of: js, ts, none/);
    expect(() => parseParameters("runtime_import=")).toThrow(/runtime_import needs a module specifier/);
    expect(() => parseParameters("messages=some")).toThrow(new ParameterError("parameter messages=some is not one of: all, none"));
    expect(() => parseParameters("openapi=yaml")).toThrow(new ParameterError("parameter openapi=yaml is not one of: none, file, package"));
    expect(() => parseParameters("streaming=drop")).toThrow(new ParameterError("parameter streaming=drop is not one of: generate, skip"));
  });
});
