// streaming=skip leaves streaming rpcs out and says so, one warning per rpc; by default they are generated.
import { describe, expect, it } from "vitest";
import { formatDiagnostic, generate, type Diagnostic } from "../../compiler/index.js";
import { allPlugins } from "../../plugins/index.js";
import { buildRequest } from "../support/run-plugin.js";

const proto = `syntax = "proto3";
package s;
message M { int32 n = 1; }
service Svc {
  rpc Get(M) returns (M);
  rpc Watch(M) returns (stream M);
  rpc Chat(stream M) returns (stream M);
}
`;

function run(parameter: string): { warnings: string[]; service: string } {
  const warnings: Diagnostic[] = [];
  const response = generate(buildRequest({ "s.proto": proto }, parameter), allPlugins, undefined, (d) => warnings.push(d));
  const service = response.file.find((f) => f.name === "s.rony.ts")?.content ?? "";
  return { warnings: warnings.map(formatDiagnostic), service };
}

describe("streaming=skip", () => {
  it("leaves each streaming rpc out with a warning naming it", () => {
    const { warnings, service } = run("streaming=skip");
    expect(warnings).toEqual([
      "s.proto:6: rpc s.Svc.Watch: left out: it streams and the parameter streaming=skip is set",
      "s.proto:7: rpc s.Svc.Chat: left out: it streams and the parameter streaming=skip is set",
    ]);
    expect(service).toContain("get(input: M");
    expect(service).not.toContain("watch(");
    expect(service).not.toContain("chat(");
  });

  it("by default generates streaming rpcs, without warnings", () => {
    const { warnings, service } = run("");
    expect(warnings).toEqual([]);
    expect(service).toContain("watch(input: M, options?: CallOptions): AsyncIterable<M>");
    expect(service).toContain("chat(inputs: AsyncIterable<M> | Iterable<M>, options?: CallOptions): AsyncIterable<M>");
  });
});
