// CodeGeneratorRequest → SchemaIR. Descriptors and annotations are read here and nowhere else.
import {
  create,
  createFileRegistry,
  getExtension,
  hasExtension,
  ScalarType as PbScalar,
  type DescEnum,
  type DescField,
  type DescFile,
  type DescMessage,
  type DescMethod,
  type DescService,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema, type CodeGeneratorRequest } from "@bufbuild/protobuf/wkt";
import {
  connection as connectionExt,
  field as fieldExt,
  HttpMethod,
  model as modelExt,
  Replication as PbReplication,
  rpc as rpcExt,
  service as serviceExt,
} from "../generated/rony/options_pb.js";
import { constructorId } from "./constructor-id.js";
import type { Diagnostic } from "./diagnostics.js";
import type {
  ConnectionIR,
  FieldIR,
  FieldType,
  FileIR,
  HttpBindingIR,
  HttpVerb,
  MessageIR,
  MethodIR,
  ModelIR,
  Replication,
  ScalarType,
  SchemaIR,
  ServiceIR,
  SourceRef,
  TypeRef,
} from "./ir.js";
import { builtinConnectionKinds } from "./ir.js";
import { readModel } from "./read-model.js";
import { readTypeFiles } from "./read-types.js";
import { camelCase, lowerFirst, safeMember } from "./naming.js";
import { fileSource, leadingComment, OPTIONS_FIELD, sourceOf } from "./source-info.js";

export const scalarNames: Record<PbScalar, ScalarType> = {
  [PbScalar.DOUBLE]: "double",
  [PbScalar.FLOAT]: "float",
  [PbScalar.INT64]: "int64",
  [PbScalar.UINT64]: "uint64",
  [PbScalar.INT32]: "int32",
  [PbScalar.FIXED64]: "fixed64",
  [PbScalar.FIXED32]: "fixed32",
  [PbScalar.BOOL]: "bool",
  [PbScalar.STRING]: "string",
  [PbScalar.BYTES]: "bytes",
  [PbScalar.UINT32]: "uint32",
  [PbScalar.SFIXED32]: "sfixed32",
  [PbScalar.SFIXED64]: "sfixed64",
  [PbScalar.SINT32]: "sint32",
  [PbScalar.SINT64]: "sint64",
};

const httpVerbs: Partial<Record<HttpMethod, HttpVerb>> = {
  [HttpMethod.GET]: "GET",
  [HttpMethod.POST]: "POST",
  [HttpMethod.PUT]: "PUT",
  [HttpMethod.PATCH]: "PATCH",
  [HttpMethod.DELETE]: "DELETE",
};

const replications: Record<PbReplication, Replication> = {
  [PbReplication.NONE]: "none",
  [PbReplication.RAFT]: "raft",
  [PbReplication.SHARDED]: "sharded",
};

/** The export name of a message or enum in its module: nesting joined by "_" (as ts-proto names it). */
export function tsNameOf(typeName: string, pkg: string): string {
  const local = pkg === "" ? typeName : typeName.slice(pkg.length + 1);
  return local.replaceAll(".", "_");
}

/** A field's property name: snake_case becomes camelCase, other names stay as written (as in ts-proto). */
export function tsFieldName(name: string): string {
  return name.includes("_") ? camelCase(name) : name;
}

export class RequestReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly messages = new Map<string, MessageIR>();

  report(source: SourceRef, element: string, option: string, message: string): void {
    this.diagnostics.push({ ...source, element, option, message });
  }

  read(request: CodeGeneratorRequest): SchemaIR {
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile }));
    const files: FileIR[] = [];
    for (const name of request.fileToGenerate) {
      const file = registry.getFile(name);
      if (file === undefined) throw new Error(`file_to_generate ${name} is missing from proto_file`);
      files.push(this.readFile(file));
    }
    return { files, typeFiles: readTypeFiles(registry, request.fileToGenerate) };
  }

  private readFile(file: DescFile): FileIR {
    const messages = allMessages(file.messages).map((m) => this.message(m));
    const connections = this.connectionsOf(file);
    const visible = [...connections, ...dependenciesOf(file).flatMap((dep) => this.connectionsOf(dep, false))];
    const services = file.services.map((s) => this.service(s));
    const models: ModelIR[] = [];
    for (const desc of allMessages(file.messages)) {
      const options = desc.proto.options;
      if (options === undefined || !hasExtension(options, modelExt)) continue;
      const model = readModel(this, this.message(desc), desc, getExtension(options, modelExt), visible);
      if (model !== undefined) models.push(model);
    }
    return {
      name: file.proto.name,
      package: file.proto.package ?? "",
      modulePath: file.proto.name.replace(/\.proto$/, ""),
      messages,
      services,
      models,
      connections,
    };
  }

  private connectionsOf(file: DescFile, reportProblems = true): ConnectionIR[] {
    const options = file.proto.options;
    if (options === undefined || !hasExtension(options, connectionExt)) return [];
    const seen = new Set<string>();
    return getExtension(options, connectionExt).map((c, i) => {
      const source = fileSource(file, [OPTIONS_FIELD.file, connectionExt.number, i]);
      const element = `file ${file.proto.name}`;
      if (reportProblems) {
        if (!/^[a-z][a-zA-Z0-9_]*$/.test(c.name)) {
          this.report(source, element, "(rony.connection).name", `"${c.name}" must be a lower-case identifier (e.g. "main")`);
        }
        if (seen.has(c.name)) this.report(source, element, "(rony.connection).name", `connection "${c.name}" is declared twice`);
        if (!/^[a-z][a-z0-9_]*$/.test(c.kind)) {
          this.report(source, element, "(rony.connection).kind",
            `"${c.kind}" is not a kind: use one of ${builtinConnectionKinds.join(", ")} or a snake_case custom kind name`);
        }
      }
      seen.add(c.name);
      return { name: c.name, kind: c.kind, builtin: (builtinConnectionKinds as readonly string[]).includes(c.kind), source };
    }).filter((c, i, all) => all.findIndex((other) => other.name === c.name) === i); // a repeat is reported once, above, not again by each model
  }

  message(desc: DescMessage): MessageIR {
    const cached = this.messages.get(desc.typeName);
    if (cached !== undefined) return cached;
    const ir: MessageIR = {
      fullName: desc.typeName,
      tsName: tsNameOf(desc.typeName, desc.file.proto.package ?? ""),
      protoFile: desc.file.proto.name,
      constructorId: constructorId(desc.typeName),
      fields: desc.fields.map((f) => this.field(f)),
      source: sourceOf(desc),
    };
    this.messages.set(desc.typeName, ir);
    return ir;
  }

  private field(desc: DescField): FieldIR {
    const opts = desc.proto.options !== undefined && hasExtension(desc.proto.options, fieldExt)
      ? getExtension(desc.proto.options, fieldExt)
      : undefined;
    return {
      name: desc.name,
      tsName: tsFieldName(desc.name),
      jsonName: desc.jsonName,
      number: desc.number,
      type: fieldType(desc),
      repeated: desc.fieldKind === "list",
      optional: desc.proto.proto3Optional === true || (desc.presence === 1 && desc.fieldKind === "scalar"),
      oneof: desc.oneof?.name,
      column: opts?.column || desc.name,
      indexed: opts?.index ?? false,
      defaultValue: opts?.default ?? "",
      help: opts?.help ?? "",
      source: sourceOf(desc),
    };
  }

  private service(desc: DescService): ServiceIR {
    const opts = desc.proto.options !== undefined && hasExtension(desc.proto.options, serviceExt)
      ? getExtension(desc.proto.options, serviceExt)
      : undefined;
    const patternPrefix = opts?.patternPrefix ?? "";
    return {
      name: desc.name,
      fullName: desc.typeName,
      noClient: opts?.noClient ?? false,
      patternPrefix,
      replication: replications[opts?.replication ?? PbReplication.NONE] ?? "none",
      shardKey: opts?.shardKey ?? "",
      methods: desc.methods.map((m) => this.method(m, patternPrefix)),
      comment: leadingComment(desc),
      source: sourceOf(desc),
    };
  }

  private method(desc: DescMethod, patternPrefix: string): MethodIR {
    const opts = desc.proto.options !== undefined && hasExtension(desc.proto.options, rpcExt)
      ? getExtension(desc.proto.options, rpcExt)
      : undefined;
    const fullName = `${desc.parent.typeName}.${desc.name}`;
    const input = this.message(desc.input);
    const rpcPattern = opts?.pattern ?? "";
    return {
      name: desc.name,
      localName: safeMember(lowerFirst(desc.name)),
      fullName,
      constructorId: constructorId(fullName),
      input,
      output: this.message(desc.output),
      clientStreaming: desc.methodKind === "client_streaming" || desc.methodKind === "bidi_streaming",
      serverStreaming: desc.methodKind === "server_streaming" || desc.methodKind === "bidi_streaming",
      internal: opts?.internal ?? false,
      readOnly: opts?.readOnly ?? false,
      followerOk: opts?.followerOk ?? false,
      timeoutMs: opts?.timeoutMs ?? 0,
      // An rpc without its own pattern is not routable by pattern: the prefix alone would route
      // "role:echo" to whichever such rpc came first.
      pattern: rpcPattern === "" ? "" : [patternPrefix, rpcPattern].filter((p) => p !== "").join(","),
      http: opts?.http === undefined ? undefined : this.http(desc, opts.http),
      comment: leadingComment(desc),
      source: sourceOf(desc),
    };
  }

  private http(desc: DescMethod, rule: { method: HttpMethod; path: string; body: string }): HttpBindingIR | undefined {
    const source = sourceOf(desc, [OPTIONS_FIELD.method, rpcExt.number]);
    const element = `rpc ${desc.parent.typeName}.${desc.name}`;
    const verb = httpVerbs[rule.method];
    if (verb === undefined) {
      this.report(source, element, "(rony.rpc).http.method", "is required: GET, POST, PUT, PATCH or DELETE");
      return undefined;
    }
    if (!/^\/([A-Za-z0-9_.~{}-]+(\/[A-Za-z0-9_.~{}-]+)*)?$/.test(rule.path)) {
      this.report(source, element, "(rony.rpc).http.path", `"${rule.path}" must start with "/" and hold only path segments and {field} params`);
      return undefined;
    }
    const pathParams = [...rule.path.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? "");
    return { method: verb, path: rule.path, pathParams, body: rule.body, source };
  }
}

function fieldType(desc: DescField): FieldType {
  switch (desc.fieldKind) {
    case "scalar":
      return scalarType(desc.scalar);
    case "enum":
      return enumType(desc.enum);
    case "message":
      return messageType(desc.message);
    case "list":
      switch (desc.listKind) {
        case "scalar":
          return scalarType(desc.scalar);
        case "enum":
          return enumType(desc.enum);
        case "message":
          return messageType(desc.message);
      }
      break;
    case "map": {
      const key = scalarNames[desc.mapKey];
      switch (desc.mapKind) {
        case "scalar":
          return { kind: "map", key, value: scalarType(desc.scalar) };
        case "enum":
          return { kind: "map", key, value: enumType(desc.enum) };
        case "message":
          return { kind: "map", key, value: messageType(desc.message) };
      }
    }
  }
}

const scalarType = (scalar: PbScalar): FieldType => ({ kind: "scalar", scalar: scalarNames[scalar] });
const enumType = (desc: DescEnum): FieldType => ({ kind: "enum", enumName: desc.typeName, ref: typeRef(desc) });
const messageType = (desc: DescMessage): FieldType => ({ kind: "message", ref: typeRef(desc) });

export function typeRef(desc: DescMessage | DescEnum): TypeRef {
  return { fullName: desc.typeName, tsName: tsNameOf(desc.typeName, desc.file.proto.package ?? ""), protoFile: desc.file.proto.name };
}

export function allMessages(messages: readonly DescMessage[]): DescMessage[] {
  // Map entries are synthetic: never rpc types or models.
  return messages
    .filter((m) => m.proto.options?.mapEntry !== true)
    .flatMap((m) => [m, ...allMessages(m.nestedMessages)]);
}

function dependenciesOf(file: DescFile, seen = new Set<string>()): DescFile[] {
  const out: DescFile[] = [];
  for (const dep of file.dependencies) {
    if (seen.has(dep.proto.name)) continue;
    seen.add(dep.proto.name);
    out.push(dep, ...dependenciesOf(dep, seen));
  }
  return out;
}
