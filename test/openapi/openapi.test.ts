// The OpenAPI documents (openapi=file|package): each generated and golden document validates
// with @readme/openapi-parser (OpenAPI 3.1 schema + its own checks), and requests built from the
// demo's documents succeed against a running demo EdgeServer, their replies matching the
// documented schemas.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compileErrors, validate } from "@readme/openapi-parser";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoServer } from "../../demo/server.js";
import { ErrorCode, type EdgeServer } from "../../runtime/index.js";
import { readTree } from "../../fixtures/cases.js";
import { repoRoot } from "../support/run-plugin.js";

type Json = Record<string, unknown>;
type Document = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Json> } };
type Operation = { operationId: string; parameters?: { name: string; in: "path" | "query" }[]; requestBody?: { content: Record<string, { schema: Json }> }; responses: Record<string, { content: Record<string, { schema: Json }> }> };

const documents = [
  ...Object.entries(readTree(join(repoRoot, "generated"))).filter(([name]) => name.endsWith(".openapi.json")).map(([name, text]) => [`generated/${name}`, text] as const),
  ...Object.entries(readTree(join(repoRoot, "fixtures"))).filter(([name]) => name.endsWith(".openapi.json")).map(([name, text]) => [`fixtures/${name}`, text] as const),
];

async function problems(doc: unknown): Promise<string> {
  const result = await validate(structuredClone(doc) as never);
  return result.valid ? "" : compileErrors(result);
}

describe("generated OpenAPI documents validate", () => {
  it("finds the demo's and the golden cases' documents", () => {
    expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(["generated/examples/echo.openapi.json", "generated/examples/notes.openapi.json", "fixtures/openapi/expected/library.openapi.json", "fixtures/openapi-package/expected/store/v1.openapi.json"]));
  });

  for (const [name, text] of documents) {
    it(name, async () => {
      expect(await problems(JSON.parse(text))).toBe("");
    });
  }

  it("documents the error codes the edge sends (rony.ErrorCode)", () => {
    const doc = JSON.parse(readFileSync(join(repoRoot, "generated/examples/echo.openapi.json"), "utf8")) as Document;
    const codes = (doc.components.schemas["rony.RpcError"]!["properties"] as { code: { enum: string[] } }).code.enum;
    expect(codes).toEqual(Object.keys(ErrorCode).filter((k) => Number.isNaN(Number(k)) && k !== "UNRECOGNIZED"));
  });

  it("the validator does reject a broken document (a path param the operation does not declare)", async () => {
    const doc = JSON.parse(readFileSync(join(repoRoot, "generated/examples/notes.openapi.json"), "utf8")) as Document;
    const get = doc.paths["/notebooks/{notebook}/notes/{id}"]!["get"]!;
    get.parameters = get.parameters!.filter((p) => p.name !== "id");
    expect(await problems(doc)).toMatch(/id/);
  });
});

/** A request made from the document: its path template, parameter places and body schema; values from the test. */
function requestFrom(doc: Document, operationId: string, values: Json): { url: string; init: RequestInit; reply: Json } {
  for (const [template, verbs] of Object.entries(doc.paths)) {
    for (const [verb, op] of Object.entries(verbs)) {
      if (op.operationId !== operationId) continue;
      const params = op.parameters ?? [];
      let path = template;
      const query = new URLSearchParams();
      for (const p of params) {
        const value = values[p.name];
        if (p.in === "path") path = path.replace(`{${p.name}}`, encodeURIComponent(String(value)));
        else if (Array.isArray(value)) value.forEach((v) => query.append(p.name, String(v)));
        else if (value !== undefined) query.set(p.name, String(value));
      }
      const init: RequestInit = { method: verb.toUpperCase() };
      const bodySchema = op.requestBody?.content["application/json"]?.schema;
      if (bodySchema !== undefined) init.body = JSON.stringify(bodyOf(doc, bodySchema, values, params));
      const search = query.size > 0 ? `?${query}` : "";
      return { url: `${path}${search}`, init, reply: op.responses["200"]!.content["application/json"]!.schema };
    }
  }
  throw new Error(`no operation ${operationId}`);
}

/** The body: the one value under `$body` (a `body: "<field>"` binding), or the message schema's properties taken from `values`. */
function bodyOf(doc: Document, schema: Json, values: Json, params: readonly { name: string }[]): unknown {
  const ref = typeof schema["$ref"] === "string" ? doc.components.schemas[schema["$ref"].replace("#/components/schemas/", "")] : schema;
  const properties = Object.keys((ref?.["properties"] ?? {}) as Json);
  const taken = new Set(params.map((p) => p.name));
  if ("$body" in values) return values["$body"];
  return Object.fromEntries(properties.filter((k) => !taken.has(k) && k in values).map((k) => [k, values[k]]));
}

describe("requests built from the demo's documents succeed against the running demo", () => {
  let server: EdgeServer;
  let base = "";
  const ajv = new Ajv2020({ strict: false, validateFormats: false });
  const docs = {
    echo: JSON.parse(readFileSync(join(repoRoot, "generated/examples/echo.openapi.json"), "utf8")) as Document,
    notes: JSON.parse(readFileSync(join(repoRoot, "generated/examples/notes.openapi.json"), "utf8")) as Document,
  };
  for (const [key, doc] of Object.entries(docs)) ajv.addSchema({ $id: key, components: doc.components });

  beforeAll(async () => {
    server = demoServer({ host: "127.0.0.1" });
    base = `http://127.0.0.1:${await server.listen(0)}`;
  });
  afterAll(() => server.shutdown());

  async function call(which: keyof typeof docs, operationId: string, values: Json): Promise<Json> {
    const request = requestFrom(docs[which], operationId, values);
    const res = await fetch(`${base}${request.url}`, request.init);
    const body = (await res.json()) as Json;
    expect(res.status, `${operationId}: ${JSON.stringify(body)}`).toBe(200);
    // The reply matches the documented schema, its $refs resolved in the document's components.
    const check = ajv.compile(JSON.parse(JSON.stringify(request.reply).replaceAll('"#/components/', `"${which}#/components/`)) as Json);
    expect(check(body), `${operationId}: ${ajv.errorsText(check.errors)}`).toBe(true);
    return body;
  }

  it("Echo.Say, and every Notes route in turn", async () => {
    expect(await call("echo", "examples.echo.Echo.Say", { intValue: "42", boolValue: true, text: "hello" })).toMatchObject({ intValue: "42", text: "hello" });
    const note = await call("notes", "examples.notes.Notes.Create", { notebook: "openapi", slug: "one", title: "One", body: "b", tags: ["x"] });
    const id = note["id"];
    expect(await call("notes", "examples.notes.Notes.Get", { notebook: "openapi", id })).toMatchObject({ slug: "one", tags: ["x"] });
    expect(await call("notes", "examples.notes.Notes.List", { notebook: "openapi", limit: 5 })).toMatchObject({ notes: [{ id }] });
    expect(await call("notes", "examples.notes.Notes.Update", { notebook: "openapi", id, $body: { title: "Uno" } })).toMatchObject({ title: "Uno" });
    expect(await call("notes", "examples.notes.Notes.Delete", { notebook: "openapi", id })).toEqual({ existed: true });
  });

  it("documents every routed demo rpc", () => {
    const generated = documents.filter(([name]) => name.startsWith("generated/")).map(([, text]) => JSON.parse(text) as Document);
    const operations = generated.flatMap((d) => Object.values(d.paths).flatMap((verbs) => Object.values(verbs).map((op) => op.operationId)));
    const routed = [...server.dispatcher.routes()].filter((r) => r.method.http !== undefined && !r.method.internal).map((r) => `${r.method.service}.${r.method.name}`);
    expect(operations).toEqual(expect.arrayContaining(routed));
  });
});


