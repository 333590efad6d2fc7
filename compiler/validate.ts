// Checks that need the whole IR: routes, constructor ids, rpc-level rules.
import { formatConstructorId } from "./constructor-id.js";
import type { Diagnostic } from "./diagnostics.js";
import { isReservedWord } from "./naming.js";
import type { FieldIR, MessageIR, MethodIR, SchemaIR, ServiceIR } from "./ir.js";
import { canonicalPatternText, patternProblem } from "./pattern-syntax.js";

export function validate(schema: SchemaIR): Diagnostic[] {
  const out: Diagnostic[] = [];
  const routes = new Map<string, MethodIR>();
  const patterns = new Map<string, MethodIR>();
  const ids = new Map<number, { name: string; source: MessageIR["source"] }>();

  const claimId = (id: number, name: string, source: MessageIR["source"], element: string) => {
    const other = ids.get(id);
    if (other === undefined) {
      ids.set(id, { name, source });
    } else if (other.name !== name) {
      out.push({ ...source, element, option: "", message:
        `constructor id ${formatConstructorId(id)} of ${name} collides with ${other.name} (${other.source.file}:${other.source.line}); rename one of them` });
    }
  };

  for (const file of schema.files) {
    for (const message of file.messages) {
      claimId(message.constructorId, message.fullName, message.source, `message ${message.fullName}`);
      if (isReservedWord(message.tsName)) {
        out.push({ ...message.source, element: `message ${message.fullName}`, option: "",
          message: `"${message.tsName}" is a reserved word in TypeScript; no TypeScript type can have that name, rename the message` });
      }
    }
    for (const service of file.services) {
      checkService(service, out);
      for (const method of service.methods) {
        const element = `rpc ${method.fullName}`;
        claimId(method.constructorId, method.fullName, method.source, element);
        for (const msg of [method.input, method.output]) claimId(msg.constructorId, msg.fullName, msg.source, `message ${msg.fullName}`);
        checkMethod(service, method, out);
        if (method.pattern !== "" && patternProblem(method.pattern) === undefined) {
          const key = canonicalPatternText(method.pattern);
          const other = patterns.get(key);
          if (other !== undefined) {
            out.push({ ...method.source, element, option: "(rony.rpc).pattern",
              message: `"${method.pattern}" is already the pattern of ${other.fullName}; a call could not tell them apart` });
          } else {
            patterns.set(key, method);
          }
        }
        if (method.http !== undefined) {
          const key = `${method.http.method} ${method.http.path.replace(/\{[^}]*\}/g, "{}")}`;
          const other = routes.get(key);
          if (other !== undefined) {
            out.push({ ...method.http.source, element, option: "(rony.rpc).http",
              message: `${method.http.method} ${method.http.path} is already bound to ${other.fullName}` });
          } else {
            routes.set(key, method);
          }
        }
      }
    }
  }
  return out;
}

function checkService(service: ServiceIR, out: Diagnostic[]): void {
  const element = `service ${service.fullName}`;
  const prefixProblem = service.patternPrefix === "" ? undefined : patternProblem(service.patternPrefix);
  if (prefixProblem !== undefined) {
    out.push({ ...service.source, element, option: "(rony.service).pattern_prefix",
      message: `"${service.patternPrefix}" must be key:value pairs joined by "," (e.g. "role:math"): ${prefixProblem}` });
  }
  if (service.replication === "sharded") {
    if (service.shardKey === "") {
      out.push({ ...service.source, element, option: "(rony.service).shard_key", message: "is required with REPLICATION_SHARDED" });
      return;
    }
    for (const method of service.methods) {
      const field = method.input.fields.find((f) => f.name === service.shardKey);
      const problem = field === undefined ? `has no field "${service.shardKey}" to shard by` : shardKeyProblem(field);
      if (problem !== undefined) {
        out.push({ ...method.source, element: `rpc ${method.fullName}`, option: "(rony.service).shard_key",
          message: `the input ${method.input.fullName} ${problem}` });
      }
    }
  }
}

// The value must always be there and hash the same as the record's key text (runtime/cluster/slots):
// floats have no exact key text, and optional, oneof, repeated or message fields may hold no value.
function shardKeyProblem(field: FieldIR): string | undefined {
  const kind = unkeyableKind(field);
  if (kind === undefined) return undefined;
  return `cannot shard by "${field.name}", ${kind}: a shard key is a singular string, integer, bool, bytes or enum field that always has a value`;
}

function unkeyableKind(field: FieldIR): string | undefined {
  if (field.type.kind === "map") return "a map field";
  if (field.repeated) return "a repeated field";
  if (field.type.kind === "message") return "a message field";
  if (field.type.kind === "scalar" && (field.type.scalar === "double" || field.type.scalar === "float")) return `a ${field.type.scalar} field`;
  if (field.oneof !== undefined) return "a oneof member";
  if (field.optional) return "an optional field";
  return undefined;
}

function checkMethod(service: ServiceIR, method: MethodIR, out: Diagnostic[]): void {
  const element = `rpc ${method.fullName}`;
  const push = (option: string, message: string, source = method.source) => out.push({ ...source, element, option, message });
  if ((method.clientStreaming || method.serverStreaming) && method.http !== undefined) {
    push("(rony.rpc).http", "a streaming rpc cannot have a REST route; server streams are served by the RPC endpoint (docs/streams.md)", method.http.source);
  }
  const problem = method.pattern === "" ? undefined : patternProblem(method.pattern);
  if (problem !== undefined) {
    push("(rony.rpc).pattern", `"${method.pattern}" must be key:value pairs joined by "," (e.g. "cmd:sum"): ${problem}`);
  }
  if (method.followerOk && !method.readOnly) push("(rony.rpc).follower_ok", "needs read_only: true (a follower may only serve reads)");
  if (service.replication === "none" && method.followerOk) {
    push("(rony.rpc).follower_ok", "has no effect without replication; set (rony.service).replication");
  }
  const http = method.http;
  if (http === undefined) return;
  if (method.internal) push("(rony.rpc).http", "an internal rpc cannot have an HTTP route: the edge refuses internal rpcs", http.source);
  const fields = method.input.fields;
  const seen = new Set<string>();
  for (const param of http.pathParams) {
    const field = fields.find((f) => f.name === param || f.jsonName === param);
    if (field === undefined) {
      push("(rony.rpc).http.path", `{${param}} is not a field of ${method.input.fullName} (fields: ${fields.map((f) => f.name).join(", ") || "none"})`, http.source);
    } else if (field.repeated || field.type.kind === "message" || field.type.kind === "map") {
      push("(rony.rpc).http.path", `{${param}} must be a singular scalar or enum field`, http.source);
    }
    if (seen.has(param)) push("(rony.rpc).http.path", `{${param}} appears twice`, http.source);
    seen.add(param);
  }
  if (http.body !== "" && http.body !== "*") {
    const body = fields.find((f) => f.name === http.body || f.jsonName === http.body);
    if (body === undefined) push("(rony.rpc).http.body", `"${http.body}" is not a field of ${method.input.fullName}; use "", "*" or a field name`, http.source);
    else if (seen.has(body.name) || seen.has(body.jsonName)) push("(rony.rpc).http.body", `"${http.body}" is already a path param`, http.source);
  }
  if (http.body !== "" && (http.method === "GET" || http.method === "DELETE")) {
    push("(rony.rpc).http.body", `${http.method} requests have no body; leave body empty so fields come from the query string`, http.source);
  }
}
