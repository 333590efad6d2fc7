// proto field → the runtime's ValueType (how the value is held in TypeScript and ordered).
import type { FieldIR, ScalarType } from "../../compiler/index.js";
import { scalarTsType } from "../common/scalar-types.js";

const scalarValueTypes: Record<ScalarType, string> = {
  double: "double",
  float: "float",
  int32: "int32",
  sint32: "int32",
  sfixed32: "int32",
  uint32: "uint32",
  fixed32: "uint32",
  int64: "int64",
  sint64: "int64",
  sfixed64: "int64",
  uint64: "uint64",
  fixed64: "uint64",
  bool: "bool",
  string: "string",
  bytes: "bytes",
};

export function valueType(field: FieldIR): string {
  if (field.repeated) return "list";
  switch (field.type.kind) {
    case "map":
      return "map";
    case "message":
      return "message";
    case "enum":
      return "enum";
    case "scalar":
      return scalarValueTypes[field.type.scalar];
  }
}

/** The TypeScript type of a key field's value, for finder parameters (enums as their numbers). */
export function tsValueType(field: FieldIR): string {
  return field.type.kind === "scalar" ? scalarTsType(field.type.scalar) : "number";
}
