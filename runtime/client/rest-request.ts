// The client half of a REST binding: an input message becomes a URL, a query string and a body,
// the mirror of runtime/edge/rest-mapping.ts.
import type { AnyMethod, HttpBinding } from "../rpc/index.js";

export interface RestRequest {
  readonly path: string;
  readonly body: string | undefined;
}

function appendQuery(params: URLSearchParams, key: string, value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) appendQuery(params, key, v);
  } else if (value !== null && typeof value !== "object") {
    params.append(key, String(value));
  }
  // Nested messages cannot travel in a query string; bind them to the body instead.
}

export function restRequest(method: AnyMethod, binding: HttpBinding, input: unknown): RestRequest {
  const json = { ...(method.input.toJSON(input) as Record<string, unknown>) };
  const fields = input as Record<string, unknown>;
  // Path values come from the message itself: toJSON leaves out defaults, a path cannot.
  const path = binding.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    delete json[name];
    return encodeURIComponent(String(fields[name] ?? ""));
  });
  let body: string | undefined;
  if (binding.body === "*") {
    body = JSON.stringify(json);
    return { path, body };
  }
  if (binding.body !== "") {
    body = JSON.stringify(json[binding.body] ?? {});
    delete json[binding.body];
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(json)) appendQuery(params, k, v);
  const query = params.toString();
  return { path: query === "" ? path : `${path}?${query}`, body };
}
