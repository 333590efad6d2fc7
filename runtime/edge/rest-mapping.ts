// REST bindings: a path template and a request's path, query and body become one input object
// in the message's JSON form, which the message's own fromJSON then reads.
import { ErrorCode, RonyError, type HttpBinding } from "../rpc/index.js";

/** "/notebooks/{notebook}/notes/{id}" → "/notebooks/:notebook/notes/:id" (uWS's syntax). */
export function uwsPattern(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ":$1");
}

function bad(why: string): RonyError {
  return new RonyError(ErrorCode.INVALID_ARGUMENT, why);
}

/**
 * Query and path values arrive as strings, which proto3 JSON accepts for every scalar but bool
 * (numbers may be strings, "1e3" included). A bool field's "true"/"false" become JSON booleans;
 * anything else stays text, and the field's fromJSON refuses it.
 */
function paramValue(binding: HttpBinding, key: string, raw: string): string | boolean {
  if (binding.boolParams === undefined || !binding.boolParams.includes(key)) return raw;
  return raw === "true" ? true : raw === "false" ? false : raw;
}

/** Objects built from request data have no prototype, so keys like "__proto__" stay plain data. */
function record(): Record<string, unknown> {
  return Object.create(null) as Record<string, unknown>;
}

export function parseQuery(binding: HttpBinding, query: string): Record<string, unknown> {
  const out = record();
  if (query === "") return out;
  for (const [key, raw] of new URLSearchParams(query)) {
    const value = paramValue(binding, key, raw);
    const prev = out[key];
    if (prev === undefined) out[key] = value;
    else if (Array.isArray(prev)) prev.push(value);
    else out[key] = [prev, value];
  }
  return out;
}

/** Builds the input JSON: body (per the binding), then query fields not set yet, then path params. */
export function restInput(binding: HttpBinding, pathValues: readonly string[], query: string, body: string): Record<string, unknown> {
  let input = record();
  if (binding.body !== "" && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw bad("the body is not JSON");
    }
    if (binding.body === "*") {
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw bad("the body must be a JSON object");
      input = parsed as Record<string, unknown>;
    } else {
      input[binding.body] = parsed;
    }
  }
  if (query !== "") {
    for (const [key, value] of Object.entries(parseQuery(binding, query))) {
      if (!(key in input)) input[key] = value;
    }
  }
  binding.pathParams.forEach((name, i) => {
    let value: string;
    try {
      value = decodeURIComponent(pathValues[i] ?? "");
    } catch {
      throw bad(`path parameter ${name} is not valid percent-encoding`);
    }
    input[name] = paramValue(binding, name, value);
  });
  return input;
}
