import { ParameterError } from "./diagnostics.js";

export interface PluginParameters {
  /** Module specifier generated code imports the runtime from; "/rpc" etc. are appended. */
  readonly runtimeImport: string;
  /** Extension of relative imports: ".js" for NodeNext/ESM, "" for bundlers, ".ts" for Deno-style. */
  readonly importExtension: "" | ".js" | ".ts";
}

export const defaultParameters: PluginParameters = { runtimeImport: "rony-ts/runtime", importExtension: ".js" };

const importExtensions: Record<string, PluginParameters["importExtension"]> = { js: ".js", ts: ".ts", none: "" };

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
      default:
        throw new ParameterError(`unknown parameter "${key}"; known parameters: runtime_import, import_extension`);
    }
  }
  return params;
}
