// One OpenAPI operation per REST-bound rpc, following the edge's REST mapping
// (runtime/edge/rest-mapping.ts): `{param}` segments from the path, `body: "*"` the JSON body,
// `body: "<field>"` that field as the body, every other scalar, enum or repeated scalar field
// from the query string. Replies are the output message's JSON; errors are rony.RpcError JSON.
import type { FieldDefIR, MethodIR, ServiceIR } from "../../compiler/index.js";
import { componentRef, described, type JsonSchema, type SchemaCollector } from "./json-schema.js";

export const errorSchemaName = "rony.RpcError";

/** The codes of rony.ErrorCode (schemas/rony/envelope.proto), as the error JSON names them. */
export const errorCodes = [
  "ERROR_CODE_UNSPECIFIED", "INVALID_ARGUMENT", "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "UNAUTHENTICATED",
  "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DEADLINE_EXCEEDED",
  "CANCELLED", "CROSS_SHARD",
] as const;

export const errorSchema: JsonSchema = {
  type: "object",
  description: "A typed error (docs/edge.md): the HTTP status follows from the code.",
  properties: {
    code: { type: "string", enum: [...errorCodes] },
    description: { type: "string" },
    items: { type: "string", description: "what the error is about (a field, a key), machine-readable" },
  },
  required: ["code", "description", "items"],
};

const json = (schema: JsonSchema) => ({ "application/json": { schema } });

export interface Operation {
  readonly path: string;
  readonly verb: string;
  readonly operation: JsonSchema;
}

export function operationOf(service: ServiceIR, method: MethodIR, schemas: SchemaCollector): Operation | undefined {
  const http = method.http;
  if (http === undefined || method.internal) return undefined;
  const fields = schemas.message(method.input.fullName)?.fields ?? [];
  const named = (name: string) => fields.find((f) => f.name === name || f.jsonName === name);
  const pathFields = new Set(http.pathParams.map(named));
  const bodyField = http.body === "" || http.body === "*" ? undefined : named(http.body);

  // validate.ts: every path param is a singular scalar or enum field of the input.
  const parameters = http.pathParams.map((param) => {
    const field = named(param)!;
    return { name: field.jsonName, in: "path", required: true, schema: schemas.fieldSchema(field) };
  });
  if (http.body !== "*") {
    for (const field of fields) {
      if (pathFields.has(field) || field === bodyField || !inQuery(field)) continue;
      parameters.push({ name: field.jsonName, in: "query", required: false, schema: schemas.fieldSchema(field) });
    }
  }

  const operation: Record<string, unknown> = {
    operationId: `${service.fullName}.${method.name}`,
    tags: [service.fullName],
  };
  Object.assign(operation, described(method.comment));
  if (parameters.length > 0) operation["parameters"] = parameters;
  if (http.body === "*") {
    operation["requestBody"] = { required: true, content: json(schemas.messageSchema(method.input.fullName)) };
  } else if (bodyField !== undefined) {
    operation["requestBody"] = { required: true, content: json(schemas.fieldSchema(bodyField)) };
  }
  operation["responses"] = {
    "200": { description: `${method.output.fullName} in the proto3 JSON mapping`, content: json(schemas.messageSchema(method.output.fullName)) },
    default: { description: "a typed error; the status follows from its code", content: json(componentRef(errorSchemaName)) },
  };
  // Templates name params by JSON name: OpenAPI holds /a/{shop_id} and /a/{shopId} to be one path.
  const path = http.path.replace(/\{([^}]+)\}/g, (_m, param: string) => `{${named(param)?.jsonName ?? param}}`);
  return { path, verb: http.method.toLowerCase(), operation };
}

/** What a query string can carry: scalars and enums, alone or repeated (`?tag=a&tag=b`). */
function inQuery(field: FieldDefIR): boolean {
  return field.cardinality !== "map" && field.value.kind !== "message";
}
