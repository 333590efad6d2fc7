// How a proto scalar is held in TypeScript: the message modules and the model finders agree on it.
import type { ScalarType } from "../../compiler/index.js";

export const int64Scalars: ReadonlySet<ScalarType> = new Set(["int64", "uint64", "sint64", "fixed64", "sfixed64"]);

export function scalarTsType(s: ScalarType): string {
  if (int64Scalars.has(s)) return "bigint";
  switch (s) {
    case "bool":
      return "boolean";
    case "string":
      return "string";
    case "bytes":
      return "Uint8Array";
    default:
      return "number";
  }
}
