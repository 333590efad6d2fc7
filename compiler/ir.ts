// The one intermediate model every plugin reads. Built once from the CodeGeneratorRequest by
// read-request.ts and checked by validate.ts; plugins never see raw descriptors.

export interface SourceRef {
  readonly file: string;
  readonly line: number;
}

export type ScalarType =
  | "double" | "float" | "int64" | "uint64" | "int32" | "fixed64" | "fixed32" | "bool" | "string"
  | "bytes" | "uint32" | "sfixed32" | "sfixed64" | "sint32" | "sint64";

export type FieldType =
  | { readonly kind: "scalar"; readonly scalar: ScalarType }
  | { readonly kind: "enum"; readonly enumName: string; readonly ref: TypeRef }
  | { readonly kind: "message"; readonly ref: TypeRef }
  | { readonly kind: "map"; readonly key: ScalarType; readonly value: FieldType };

/** A message or enum as generated code refers to it: the export of its file's message module. */
export interface TypeRef {
  /** Fully-qualified proto name, no leading dot. */
  readonly fullName: string;
  /** The export name in its message module ("Outer_Inner"). */
  readonly tsName: string;
  /** The proto file that declares it ("examples/echo.proto"). */
  readonly protoFile: string;
}

export interface FieldIR {
  readonly name: string;
  /** Property name in the message interface (lowerCamelCase). */
  readonly tsName: string;
  readonly jsonName: string;
  readonly number: number;
  readonly type: FieldType;
  readonly repeated: boolean;
  /** proto3 `optional` or proto2 `optional`: presence is tracked. */
  readonly optional: boolean;
  readonly oneof: string | undefined;
  readonly column: string;
  readonly indexed: boolean;
  readonly defaultValue: string;
  readonly help: string;
  readonly source: SourceRef;
}

export interface MessageIR extends TypeRef {
  readonly constructorId: number;
  readonly fields: readonly FieldIR[];
  readonly source: SourceRef;
}

export type HttpVerb = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpBindingIR {
  readonly method: HttpVerb;
  readonly path: string;
  /** `{param}` names in path order, as written. */
  readonly pathParams: readonly string[];
  readonly body: string;
  readonly source: SourceRef;
}

export interface MethodIR {
  readonly name: string;
  /** Member name in interfaces and clients ("say"), already safe. */
  readonly localName: string;
  readonly fullName: string;
  readonly constructorId: number;
  readonly input: MessageIR;
  readonly output: MessageIR;
  readonly clientStreaming: boolean;
  readonly serverStreaming: boolean;
  readonly internal: boolean;
  readonly readOnly: boolean;
  readonly followerOk: boolean;
  readonly timeoutMs: number;
  /** Full pattern: the service prefix and the rpc's pattern joined by ","; "" when the rpc has no pattern of its own. */
  readonly pattern: string;
  readonly http: HttpBindingIR | undefined;
  readonly comment: string;
  readonly source: SourceRef;
}

export type Replication = "none" | "raft" | "sharded";

export interface ServiceIR {
  readonly name: string;
  readonly fullName: string;
  readonly noClient: boolean;
  readonly patternPrefix: string;
  readonly replication: Replication;
  readonly shardKey: string;
  readonly methods: readonly MethodIR[];
  readonly comment: string;
  readonly source: SourceRef;
}

export interface KeyPartIR {
  readonly field: FieldIR;
  readonly descending: boolean;
}

export interface IndexIR {
  readonly name: string;
  readonly fields: readonly FieldIR[];
  readonly unique: boolean;
  readonly finder: string;
}

export interface ModelIR {
  readonly message: MessageIR;
  readonly connection: ConnectionIR;
  readonly table: string;
  readonly partitionKey: readonly FieldIR[];
  readonly sortKey: readonly KeyPartIR[];
  readonly indexes: readonly IndexIR[];
  readonly shardKey: FieldIR | undefined;
  readonly subscribable: boolean;
  readonly singleton: boolean;
  readonly source: SourceRef;
}

export const builtinConnectionKinds = ["mysql", "redis", "redis_sharded", "redis_cluster", "redis_ha", "memory", "raft"] as const;
export type BuiltinConnectionKind = (typeof builtinConnectionKinds)[number];

export interface ConnectionIR {
  readonly name: string;
  /** A built-in kind, or the user's own kind name. */
  readonly kind: string;
  readonly builtin: boolean;
  readonly source: SourceRef;
}

export interface FileIR {
  /** "examples/echo.proto". */
  readonly name: string;
  readonly package: string;
  /** Module path of the file's message module, without extension ("examples/echo"). */
  readonly modulePath: string;
  readonly messages: readonly MessageIR[];
  readonly services: readonly ServiceIR[];
  readonly models: readonly ModelIR[];
  readonly connections: readonly ConnectionIR[];
}

export interface SchemaIR {
  /** Files to generate, in request order. */
  readonly files: readonly FileIR[];
  /** Files whose messages and enums are emitted: the files to generate, then the imported files
   * (well-known types) whose types they reach. */
  readonly typeFiles: readonly TypeFileIR[];
}

/** Well-known types that generated code holds as plain TypeScript values (docs/messages.md). */
export type WellKnownMapping = "timestamp" | "wrapper" | "struct" | "value" | "list" | "field_mask";

/** One value of a field (the element of a list, the value of a map). */
export type ValueIR =
  | { readonly kind: "scalar"; readonly scalar: ScalarType }
  | { readonly kind: "enum"; readonly ref: TypeRef; /** The first value's number: proto's default. */ readonly defaultNumber: number }
  | {
      readonly kind: "message";
      readonly ref: TypeRef;
      /** Set for well-known types held as plain values; `wrapped` is the wrapper's inner scalar. */
      readonly mapping: WellKnownMapping | undefined;
      readonly wrapped: ScalarType | undefined;
      /** proto2 groups: start/end-group tags instead of a length prefix. */
      readonly delimited: boolean;
    };

/**
 * How a field holds its value: `single` fields hold a default when unset (proto3), `optional`
 * ones undefined (explicit presence and message fields), `required` ones are always written (proto2).
 */
export type Cardinality = "single" | "optional" | "required" | "repeated" | "map";

export interface FieldDefIR {
  /** Name in the .proto. */
  readonly name: string;
  readonly tsName: string;
  readonly jsonName: string;
  readonly number: number;
  readonly cardinality: Cardinality;
  readonly value: ValueIR;
  /** Map key scalar, for cardinality "map". */
  readonly mapKey: ScalarType | undefined;
  /** Repeated scalars and enums written as one length-delimited run. */
  readonly packed: boolean;
  /** The oneof's name when the field is a member of a (non-synthetic) oneof. */
  readonly oneof: string | undefined;
  readonly comment: string;
}

export interface MessageDefIR extends TypeRef {
  readonly fields: readonly FieldDefIR[];
  /** Reaches itself through its fields: its decoder counts nesting depth. */
  readonly recursive: boolean;
  readonly comment: string;
}

export interface EnumValueIR {
  readonly name: string;
  readonly number: number;
  readonly comment: string;
}

export interface EnumDefIR extends TypeRef {
  readonly values: readonly EnumValueIR[];
  readonly comment: string;
}

export interface TypeFileIR {
  readonly name: string;
  readonly package: string;
  /** Module path without extension ("examples/echo"). */
  readonly modulePath: string;
  readonly enums: readonly EnumDefIR[];
  readonly messages: readonly MessageDefIR[];
}
