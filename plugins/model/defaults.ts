// (rony.field).default: protobuf text of a scalar, parsed once here so a typo stops generation
// with the field's line instead of surfacing as a bad row at run time.
import type { FieldIR, ScalarType } from "../../compiler/index.js";

export interface ParsedDefault {
  readonly value: string | number | bigint | boolean;
  /** The value as TypeScript source. */
  readonly literal: string;
}

const ranges: Partial<Record<ScalarType, readonly [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** The parsed default, undefined when none is set; throws a message for a bad one. */
export function parseDefault(field: FieldIR): ParsedDefault | undefined {
  const text = field.defaultValue;
  if (text === "") return undefined;
  if (field.repeated || field.type.kind === "map" || field.type.kind === "message") {
    throw new Error(`"${field.name}" cannot have a default: only singular scalar and enum fields can`);
  }
  if (field.type.kind === "enum") return integer(text, [-(2n ** 31n), 2n ** 31n - 1n], false, "an enum number");
  const scalar = field.type.scalar;
  switch (scalar) {
    case "string": {
      const value = /^".*"$/s.test(text) ? (JSON.parse(text) as string) : text;
      return { value, literal: JSON.stringify(value) };
    }
    case "bool":
      if (text !== "true" && text !== "false") throw new Error(`"${text}" is not a bool: use true or false`);
      return { value: text === "true", literal: text };
    case "double":
    case "float": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) throw new Error(`"${text}" is not a finite number`);
      return { value, literal: String(value) };
    }
    case "bytes":
      throw new Error(`"${field.name}" cannot have a default: bytes defaults are not supported`);
    default:
      return integer(text, ranges[scalar] ?? [0n, 0n], scalar.endsWith("64"), `${/^[aeiou]/.test(scalar) ? "an" : "a"} ${scalar}`);
  }
}

function integer(text: string, [min, max]: readonly [bigint, bigint], big: boolean, what: string): ParsedDefault {
  if (!/^-?[0-9]+$/.test(text)) throw new Error(`"${text}" is not ${what}`);
  const n = BigInt(text);
  if (n < min || n > max) throw new Error(`${text} is out of range for ${what} (${min}..${max})`);
  return big ? { value: n, literal: `${n}n` } : { value: Number(n), literal: String(n) };
}
