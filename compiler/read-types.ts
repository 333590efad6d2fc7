// The message and enum definitions the messages plugin emits, read from the descriptors: every type
// of the files to generate, plus the imported files (well-known types) those types reach.
import type { DescEnum, DescField, DescFile, DescMessage, FileRegistry } from "@bufbuild/protobuf";
import type { Cardinality, EnumDefIR, FieldDefIR, MessageDefIR, ScalarType, TypeFileIR, ValueIR, WellKnownMapping } from "./ir.js";
import { allMessages, scalarNames, tsFieldName, typeRef } from "./read-request.js";
import { leadingComment } from "./source-info.js";

const wrappers: Record<string, ScalarType> = {
  "google.protobuf.DoubleValue": "double",
  "google.protobuf.FloatValue": "float",
  "google.protobuf.Int64Value": "int64",
  "google.protobuf.UInt64Value": "uint64",
  "google.protobuf.Int32Value": "int32",
  "google.protobuf.UInt32Value": "uint32",
  "google.protobuf.BoolValue": "bool",
  "google.protobuf.StringValue": "string",
  "google.protobuf.BytesValue": "bytes",
};

const mappings: Record<string, WellKnownMapping> = {
  "google.protobuf.Timestamp": "timestamp",
  "google.protobuf.Struct": "struct",
  "google.protobuf.Value": "value",
  "google.protobuf.ListValue": "list",
  "google.protobuf.FieldMask": "field_mask",
};

// FeatureSet.FieldPresence: EXPLICIT = 1, IMPLICIT = 2, LEGACY_REQUIRED = 3.
const EXPLICIT = 1;
const LEGACY_REQUIRED = 3;

export function readTypeFiles(registry: FileRegistry, fileToGenerate: readonly string[]): TypeFileIR[] {
  const files = fileToGenerate.map((name) => registry.getFile(name)).filter((f): f is DescFile => f !== undefined);
  const emitted = new Set(files.map((f) => f.proto.name));
  // Imported files join when a type of an emitted file refers to one of their types.
  for (let i = 0; i < files.length; i++) {
    const file = files[i] as DescFile;
    const referenced = [
      ...allMessages(file.messages).flatMap((m) => m.fields.map(referencedType)),
      ...file.services.flatMap((s) => s.methods.flatMap((m) => [m.input, m.output])),
    ];
    for (const type of referenced) {
      if (type !== undefined && !emitted.has(type.file.proto.name)) {
        emitted.add(type.file.proto.name);
        files.push(type.file);
      }
    }
  }
  const recursive = recursiveMessages(files.flatMap((f) => allMessages(f.messages)));
  return files.map((file) => ({
    name: file.proto.name,
    package: file.proto.package ?? "",
    modulePath: file.proto.name.replace(/\.proto$/, ""),
    enums: allEnums(file).map(enumDef),
    messages: allMessages(file.messages).map((m) => messageDef(m, recursive.has(m.typeName))),
  }));
}

function referencedType(field: DescField): DescMessage | DescEnum | undefined {
  return field.message ?? field.enum;
}

function allEnums(file: DescFile): DescEnum[] {
  return [...file.enums, ...allMessages(file.messages).flatMap((m) => m.nestedEnums)];
}

function enumDef(desc: DescEnum): EnumDefIR {
  return {
    ...typeRef(desc),
    values: desc.values.map((v) => ({ name: v.name, number: v.number, comment: leadingComment(v) })),
    comment: leadingComment(desc),
  };
}

function messageDef(desc: DescMessage, recursive: boolean): MessageDefIR {
  return { ...typeRef(desc), fields: desc.fields.map(fieldDef), recursive, comment: leadingComment(desc) };
}

function fieldDef(desc: DescField): FieldDefIR {
  return {
    name: desc.name,
    tsName: tsFieldName(desc.name),
    jsonName: desc.jsonName,
    number: desc.number,
    cardinality: cardinalityOf(desc),
    value: valueOf(desc),
    mapKey: desc.fieldKind === "map" ? scalarNames[desc.mapKey] : undefined,
    packed: desc.fieldKind === "list" && desc.packed,
    oneof: desc.oneof?.name,
    comment: leadingComment(desc),
  };
}

function cardinalityOf(desc: DescField): Cardinality {
  if (desc.fieldKind === "list") return "repeated";
  if (desc.fieldKind === "map") return "map";
  if (desc.oneof !== undefined || desc.fieldKind === "message" || desc.presence === EXPLICIT) return "optional";
  return desc.presence === LEGACY_REQUIRED ? "required" : "single";
}

function valueOf(desc: DescField): ValueIR {
  if (desc.message !== undefined) {
    const name = desc.message.typeName;
    const wrapped = wrappers[name];
    return {
      kind: "message",
      ref: typeRef(desc.message),
      mapping: wrapped !== undefined ? "wrapper" : mappings[name],
      wrapped,
      delimited: desc.fieldKind !== "map" && desc.delimitedEncoding,
    };
  }
  if (desc.enum !== undefined) return { kind: "enum", ref: typeRef(desc.enum), defaultNumber: desc.enum.values[0]?.number ?? 0 };
  // A scalar field, list or map value: protobuf-es sets `scalar` on all three.
  return { kind: "scalar", scalar: scalarNames[(desc as { scalar: keyof typeof scalarNames }).scalar] };
}

/** Messages on a cycle of message-typed fields (Tarjan's strongly connected components). */
function recursiveMessages(messages: readonly DescMessage[]): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: DescMessage[] = [];
  const onStack = new Set<string>();
  const out = new Set<string>();
  let next = 0;
  const edges = (m: DescMessage) => m.fields.flatMap((f) => (f.message === undefined ? [] : [f.message]));
  const visit = (m: DescMessage): void => {
    index.set(m.typeName, next);
    low.set(m.typeName, next++);
    stack.push(m);
    onStack.add(m.typeName);
    for (const to of edges(m)) {
      if (!index.has(to.typeName)) {
        visit(to);
        low.set(m.typeName, Math.min(low.get(m.typeName) as number, low.get(to.typeName) as number));
      } else if (onStack.has(to.typeName)) {
        low.set(m.typeName, Math.min(low.get(m.typeName) as number, index.get(to.typeName) as number));
      }
    }
    if (low.get(m.typeName) !== index.get(m.typeName)) return;
    const component: DescMessage[] = [];
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top.typeName);
      component.push(top);
      if (top === m) break;
    }
    const selfLoop = edges(m).some((to) => to.typeName === m.typeName);
    if (component.length > 1 || selfLoop) for (const c of component) out.add(c.typeName);
  };
  for (const m of messages) if (!index.has(m.typeName)) visit(m);
  return out;
}
