// JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of messages in their proto3 JSON mapping:
// JSON names, 64-bit integers as strings, enums by name, bytes as base64, well-known types in
// their JSON forms. Each message and enum is one entry of components.schemas, named by its full name.
import type { EnumDefIR, FieldDefIR, MessageDefIR, ScalarType, SchemaIR, ValueIR, WellKnownMapping } from "../../compiler/index.js";

export type JsonSchema = { readonly [key: string]: unknown };

const int64Pattern = "^-?[0-9]+$";
const uint64Pattern = "^[0-9]+$";

const scalarSchemas: Record<ScalarType, JsonSchema> = {
  double: { type: "number", format: "double" },
  float: { type: "number", format: "float" },
  int32: { type: "integer", format: "int32" },
  sint32: { type: "integer", format: "int32" },
  sfixed32: { type: "integer", format: "int32" },
  uint32: { type: "integer", format: "uint32", minimum: 0 },
  fixed32: { type: "integer", format: "uint32", minimum: 0 },
  int64: { type: "string", format: "int64", pattern: int64Pattern },
  sint64: { type: "string", format: "int64", pattern: int64Pattern },
  sfixed64: { type: "string", format: "int64", pattern: int64Pattern },
  uint64: { type: "string", format: "uint64", pattern: uint64Pattern },
  fixed64: { type: "string", format: "uint64", pattern: uint64Pattern },
  bool: { type: "boolean" },
  string: { type: "string" },
  bytes: { type: "string", contentEncoding: "base64" },
};

/** Well-known types held as plain values (docs/messages.md): their JSON is not an object of their fields. */
const mappedSchemas: Record<Exclude<WellKnownMapping, "wrapper">, JsonSchema> = {
  timestamp: { type: "string", format: "date-time" },
  field_mask: { type: "string", description: "field paths joined by commas" },
  struct: { type: "object" },
  value: {},
  list: { type: "array" },
};

/** A proto comment as a description: lines trimmed, nothing when empty. */
export function described(comment: string): { description?: string } {
  const text = comment.split("\n").map((l) => l.trim()).join("\n").trim();
  return text === "" ? {} : { description: text };
}

export function componentRef(fullName: string): JsonSchema {
  return { $ref: `#/components/schemas/${fullName}` };
}

/** Collects the component schemas of messages and enums reached from some roots. */
export class SchemaCollector {
  readonly #messages = new Map<string, MessageDefIR>();
  readonly #enums = new Map<string, EnumDefIR>();
  readonly #components = new Map<string, JsonSchema>();

  constructor(schema: SchemaIR) {
    for (const file of schema.typeFiles) {
      for (const m of file.messages) this.#messages.set(m.fullName, m);
      for (const e of file.enums) this.#enums.set(e.fullName, e);
    }
  }

  message(fullName: string): MessageDefIR | undefined {
    return this.#messages.get(fullName);
  }

  /** A reference to a message's schema, collecting it. */
  messageSchema(fullName: string): JsonSchema {
    const def = this.#messages.get(fullName);
    if (def === undefined) throw new Error(`openapi: message ${fullName} is not among the generated types`);
    if (!this.#components.has(fullName)) {
      this.#components.set(fullName, {}); // reserved first: messages may reach themselves
      this.#components.set(fullName, this.#objectSchema(def));
    }
    return componentRef(fullName);
  }

  fieldSchema(field: FieldDefIR): JsonSchema {
    const value = this.valueSchema(field.value);
    let schema = value;
    if (field.cardinality === "repeated") schema = { type: "array", items: value };
    if (field.cardinality === "map") schema = { type: "object", propertyNames: { type: "string", ...keyPattern(field.mapKey ?? "string") }, additionalProperties: value };
    // Beside a $ref, 2020-12 allows sibling keywords: the description stays with the field.
    return { ...schema, ...described(field.comment) };
  }

  valueSchema(value: ValueIR): JsonSchema {
    switch (value.kind) {
      case "scalar":
        return scalarSchemas[value.scalar];
      case "enum":
        if (!this.#components.has(value.ref.fullName)) this.#components.set(value.ref.fullName, this.#enumSchema(value.ref.fullName));
        return componentRef(value.ref.fullName);
      case "message":
        if (value.mapping === "wrapper" && value.wrapped !== undefined) return scalarSchemas[value.wrapped];
        if (value.mapping !== undefined && value.mapping !== "wrapper") return mappedSchemas[value.mapping];
        return this.messageSchema(value.ref.fullName);
    }
  }

  /** components.schemas, sorted by name so the document is byte-stable. */
  components(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.#components].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  #objectSchema(def: MessageDefIR): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const f of def.fields) properties[f.jsonName] = this.fieldSchema(f);
    const required = def.fields.filter((f) => f.cardinality === "required").map((f) => f.jsonName);
    // The well-known types' comments describe the canonical JSON forms, which the edge does not write for them.
    return {
      type: "object",
      ...(def.fullName.startsWith("google.protobuf.") ? {} : described(def.comment)),
      properties,
      ...(required.length > 0 ? { required } : {}),
    };
  }

  #enumSchema(fullName: string): JsonSchema {
    const def = this.#enums.get(fullName);
    if (def === undefined) throw new Error(`openapi: enum ${fullName} is not among the generated types`);
    return {
      type: "string",
      ...described(def.comment),
      enum: def.values.map((v) => v.name),
    };
  }
}

/** Map keys are JSON object keys: strings that hold the key scalar's text. */
function keyPattern(key: ScalarType): JsonSchema {
  if (key === "bool") return { enum: ["true", "false"] };
  if (key === "string") return {};
  return { pattern: key.startsWith("u") || key.startsWith("fixed") ? uint64Pattern : int64Pattern };
}
