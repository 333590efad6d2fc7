// Inline schemas through the real plugin host: the shape of x.rony.ts in a few lines each.
import { describe, expect, it } from "vitest";
import { runPlugin } from "../../test/support/run-plugin.js";

const header = 'syntax = "proto3";\npackage t;\nimport "rony/options.proto";\nmessage M { string id = 1; string name = 2; }\n';

function generated(body: string): string {
  const result = runPlugin({ "t.proto": header + body });
  if (!result.ok) throw new Error(result.error);
  return result.files["t.rony.ts"] ?? "";
}

describe("service plugin", () => {
  it("maps path params and body to JSON names in the route table", () => {
    const out = generated('service S { rpc Put(M) returns (M) { option (rony.rpc) = { http: { method: PUT, path: "/m/{id}", body: "name" } }; } }');
    expect(out).toContain('http: { method: "PUT", path: "/m/{id}", pathParams: ["id"], body: "name" },');
    expect(out).toContain('{ method: "PUT", path: "/m/{id}", rpc: S_Put },');
  });

  it("joins the service's pattern prefix and the rpc's pattern", () => {
    const out = generated('service S { option (rony.service) = { pattern_prefix: "role:math" }; rpc Sum(M) returns (M) { option (rony.rpc) = { pattern: "cmd:sum" }; } }');
    expect(out).toContain('pattern: "role:math,cmd:sum",');
  });

  it("gives an rpc without a pattern of its own no pattern, not the service's prefix", () => {
    const out = generated('service S { option (rony.service) = { pattern_prefix: "role:math" }; rpc Sum(M) returns (M) { option (rony.rpc) = { pattern: "cmd:sum" }; } rpc Other(M) returns (M); }');
    expect(out).toContain('pattern: "role:math,cmd:sum",');
    expect(out).toContain('pattern: "",');
  });

  it("leaves internal rpcs out of the client but in the server interface", () => {
    const out = generated("service S { rpc Open(M) returns (M); rpc Sync(M) returns (M) { option (rony.rpc) = { internal: true }; } }");
    expect(out).toContain("  sync(input: M, ctx: Ctx): M | Promise<M>;");
    expect(out).toContain("  open(input: M, options?: CallOptions): Promise<M> {");
    const client = out.slice(out.indexOf("export class SClient"), out.indexOf("export class SClusterStub"));
    expect(client).toContain("  open(input: M, options?: CallOptions)");
    expect(client).not.toContain("  sync(");
  });

  it("puts every rpc, internal ones included, in the cluster stub of a replicated service or one with internal rpcs", () => {
    const stub = (service: string) => {
      const out = generated(service);
      return out.includes("class SClusterStub") ? out.slice(out.indexOf("export class SClusterStub")) : "";
    };
    const internal = stub("service S { rpc Open(M) returns (M); rpc Sync(M) returns (M) { option (rony.rpc) = { internal: true }; } }");
    expect(internal).toContain("  open(input: M, options?: CallOptions): Promise<M> {");
    expect(internal).toContain("  sync(input: M, options?: CallOptions): Promise<M> {");
    expect(stub("service S { option (rony.service) = { replication: REPLICATION_RAFT }; rpc Open(M) returns (M); }")).toContain("  open(input: M");
    expect(stub("service S { rpc Open(M) returns (M); }")).toBe("");
  });

  it("stamps each method descriptor with its service's replication and documents what a replicated handler may do", () => {
    const out = generated("service S { option (rony.service) = { replication: REPLICATION_RAFT }; rpc Open(M) returns (M); }");
    expect(out).toContain('  replication: "raft",');
    expect(out).toContain("clockOf(ctx)");
    expect(generated("service S { rpc Open(M) returns (M); }")).toContain('  replication: "none",');
  });

  it("generates no client with no_client, and nothing for a file without services", () => {
    expect(generated("service S { option (rony.service) = { no_client: true }; rpc Go(M) returns (M); }")).not.toContain("class SClient");
    const result = runPlugin({ "t.proto": header });
    expect(result.ok && Object.keys(result.files).filter((f) => f.endsWith(".rony.ts"))).toEqual([]);
  });
});
