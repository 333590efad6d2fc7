import { ParameterError } from "./diagnostics.js";

export interface PluginParameters {
  /** Module specifier generated code imports the runtime from; "/rpc" etc. are appended. */
  readonly runtimeImport: string;
  /** Extension of relative imports: ".js" for NodeNext/ESM, "" for bundlers, ".ts" for Deno-style. */
  readonly importExtension: "" | ".js" | ".ts";
  /** "all": write the message modules; "none": another generator (ts-proto) writes them at the same paths. */
  readonly messages: "all" | "none";
  /** OpenAPI 3.1 documents of the REST bindings: none, one per proto file, or one per package. */
  readonly openapi: "none" | "file" | "package";
  /** "generate" emits streaming rpcs; "skip" leaves them out, with a warning per rpc. */
  readonly streaming: "generate" | "skip";
}

export const defaultParameters: PluginParameters = { runtimeImport: "rony-ts/runtime", importExtension: ".js", messages: "all", openapi: "none", streaming: "generate" };

const importExtensions: Record<string, PluginParameters["importExtension"]> = { js: ".js", ts: ".ts", none: "" };
const messagesValues: readonly PluginParameters["messages"][] = ["all", "none"];
const openapiValues: readonly PluginParameters["openapi"][] = ["none", "file", "package"];
const streamingValues: readonly PluginParameters["streaming"][] = ["generate", "skip"];
const known = ["runtime_import", "import_extension", "messages", "openapi", "streaming"];

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new ParameterError(`parameter ${key}=${value} is not one of: ${allowed.join(", ")}`);
  return value as T;
}

/** Parses protoc's `key=value,key=value` parameter string; any unknown key or bad value stops generation. */
export function parseParameters(raw: string): PluginParameters {
  let params = defaultParameters;
  for (const pair of raw.split(",").map((p) => p.trim()).filter((p) => p !== "")) {
    const eq = pair.indexOf("=");
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? "" : pair.slice(eq + 1);
    switch (key) {
      case "runtime_import":
        if (value === "") throw new ParameterError(`parameter runtime_import needs a module specifier, e.g. runtime_import=rony-ts/runtime`);
        params = { ...params, runtimeImport: value };
        break;
      case "import_extension": {
        const ext = importExtensions[value];
        if (ext === undefined) {
          throw new ParameterError(`parameter import_extension=${value} is not one of: ${Object.keys(importExtensions).join(", ")}`);
        }
        params = { ...params, importExtension: ext };
        break;
      }
      case "messages":
        params = { ...params, messages: oneOf(key, value, messagesValues) };
        break;
      case "openapi":
        params = { ...params, openapi: oneOf(key, value, openapiValues) };
        break;
      case "streaming":
        params = { ...params, streaming: oneOf(key, value, streamingValues) };
        break;
      default:
        throw new ParameterError(`unknown parameter "${key}"; known parameters: ${known.join(", ")}`);
    }
  }
  return params;
}
