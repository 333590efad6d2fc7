import { describe, expect, it } from "vitest";
import { goldenCases } from "../../fixtures/cases.js";
import { allPlugins } from "../../plugins/index.js";
import { buildRequest, generateLikeTheBin } from "../support/run-plugin.js";
import { GenerationError } from "../../compiler/diagnostics.js";
import { generate } from "../../compiler/host.js";

function outcome(run: () => { file: { name?: string; content?: string }[] }): unknown {
  try {
    return run().file.map((f) => [f.name, f.content]);
  } catch (err) {
    if (err instanceof GenerationError) return err.message;
    throw err;
  }
}

describe("splitSourceInfo", () => {
  it("gives the compiler the same comments and lines as decoded SourceCodeInfo, on every fixture", () => {
    const cases = goldenCases().filter((c) => !c.name.startsWith("error-bad-parameter"));
    for (const c of cases) {
      const request = buildRequest(c.protos, c.parameter);
      expect(outcome(() => generateLikeTheBin(request)), c.name).toEqual(outcome(() => generate(request, allPlugins)));
    }
  }, 120_000);
});
