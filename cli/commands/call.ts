// `rony-ts call <url> <Service.Method> [json]`: one call from the command line, JSON in and out,
// over a WebSocket (ws://) or the HTTP RPC endpoint (http://). Methods and their input fields
// come from the schemas (the compiler's IR), so a mistyped method or field is refused before
// anything is sent. Exit codes: 0 a reply, 1 an error reply or no reply, 2 refused.
import { callJson, endpointOf } from "../call/call-json.js";
import { findMethod, findWorkspace, fieldLine, loadMethods } from "../call/schema-methods.js";
import { CliError } from "../project/errors.js";

export interface CallOptions {
  schemas?: string;
  header?: string[];
  timeout?: string;
}

export async function call(url: string, name: string, json: string | undefined, options: CallOptions): Promise<void> {
  const endpoint = endpointOf(url);
  const target = findMethod(loadMethods(findWorkspace(options.schemas)), name);
  const { method } = target;
  if (method.clientStreaming || method.serverStreaming) throw new CliError(`${target.fullName} is a streaming rpc; rony-ts call makes unary calls only`);
  const input = parseInput(json ?? "{}", target.fullName);
  const known = new Set(method.input.fields.flatMap((f) => [f.jsonName, f.name]));
  const unknown = Object.keys(input).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new CliError(`${method.input.fullName} has no field ${unknown.join(", ")}; its fields: ${method.input.fields.map(fieldLine).join(", ") || "none"}`);
  }
  const timeoutMs = Number(options.timeout ?? "10000");
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new CliError(`--timeout ${options.timeout}: a positive number of milliseconds`);
  const reply = await callJson(endpoint, target.fullName, input, headersOf(options.header ?? []), timeoutMs);
  if (reply.error !== undefined) {
    const items = reply.error.items === "" ? "" : ` (${reply.error.items})`;
    throw new CliError(`${reply.error.code}: ${reply.error.description}${items}`, 1);
  }
  process.stdout.write(`${JSON.stringify(reply.output ?? {}, null, 2)}\n`);
}

function parseInput(json: string, method: string): Record<string, unknown> {
  let input: unknown;
  try {
    input = JSON.parse(json);
  } catch (e) {
    throw new CliError(`the input of ${method} is not JSON: ${(e as Error).message}`);
  }
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new CliError(`the input of ${method} must be a JSON object, e.g. '{"text":"hi"}'`);
  return input as Record<string, unknown>;
}

function headersOf(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const colon = pair.indexOf(":");
    if (colon <= 0) throw new CliError(`--header ${pair}: write it as name:value`);
    headers[pair.slice(0, colon).trim().toLowerCase()] = pair.slice(colon + 1).trim();
  }
  return headers;
}
