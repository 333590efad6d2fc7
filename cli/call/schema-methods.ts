// The rpcs `rony-ts call` can reach, read from the schemas with the compiler (buf build → IR):
// names, input fields with their JSON names and types, REST routes.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { create, fromBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { buildSchema, GenerationError, type FieldIR, type FieldType, type MethodIR, type ServiceIR } from "../../compiler/index.js";
import { CliError } from "../project/errors.js";
import { bufBinary } from "../project/plugin-path.js";

export interface CallableMethod {
  readonly service: ServiceIR;
  readonly method: MethodIR;
  /** "examples.echo.Echo.Say": what JSON frames name. */
  readonly fullName: string;
}

/** The buf workspace: `dir` if given, else the nearest folder up from the working directory with a buf.yaml. */
export function findWorkspace(dir: string | undefined): string {
  if (dir !== undefined) {
    const root = resolve(dir);
    if (!existsSync(join(root, "buf.yaml"))) throw new CliError(`--schemas ${dir}: no buf.yaml there`);
    return root;
  }
  for (let d = process.cwd(); ; d = dirname(d)) {
    if (existsSync(join(d, "buf.yaml"))) return d;
    if (dirname(d) === d) throw new CliError(`no buf.yaml in ${process.cwd()} or above: run in a rony-ts project or pass --schemas <dir>`);
  }
}

/** Every rpc of the workspace's schemas (rony/ and google/ files only declare types). */
export function loadMethods(workspace: string): CallableMethod[] {
  const run = spawnSync(bufBinary(), ["build", "-o", "-#format=binpb"], { cwd: workspace, maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new CliError(`buf build failed in ${workspace}:\n${run.stderr.toString().trim() || String(run.error)}`, 1);
  const set = fromBinary(FileDescriptorSetSchema, run.stdout);
  const files = set.file.map((f) => f.name ?? "").filter((n) => !n.startsWith("rony/") && !n.startsWith("google/"));
  let schema;
  try {
    schema = buildSchema(create(CodeGeneratorRequestSchema, { fileToGenerate: files, protoFile: set.file }));
  } catch (e) {
    if (e instanceof GenerationError) throw new CliError(`the schemas in ${workspace} have problems:\n${e.message}`, 1);
    throw e;
  }
  return schema.files.flatMap((f) => f.services.flatMap((service) => service.methods.map((method) => ({ service, method, fullName: `${service.fullName}.${method.name}` }))));
}

/**
 * "Echo.Say", "examples.echo.Echo.Say" or "Echo.say": the method whose full name ends with the
 * given service and rpc (the rpc by proto or client name). Ambiguous or unknown names are refused.
 */
export function findMethod(methods: readonly CallableMethod[], name: string): CallableMethod {
  const dot = name.lastIndexOf(".");
  if (dot <= 0) throw new CliError(`"${name}" is not <Service>.<Method> (e.g. Echo.Say); rony-ts call --help lists them`);
  const service = name.slice(0, dot);
  const rpc = name.slice(dot + 1);
  const found = methods.filter(
    (m) => (m.service.fullName === service || m.service.fullName.endsWith(`.${service}`)) && (m.method.name === rpc || m.method.localName === rpc),
  );
  if (found.length === 1) return found[0]!;
  if (found.length === 0) throw new CliError(`no rpc ${name} in the schemas; rony-ts call --help lists them`);
  throw new CliError(`${name} is ambiguous: ${found.map((m) => m.fullName).join(", ")}`);
}

export function typeName(type: FieldType): string {
  switch (type.kind) {
    case "scalar":
      return type.scalar;
    case "enum":
      return type.ref.fullName;
    case "message":
      return type.ref.fullName;
    case "map":
      return `map<${type.key}, ${typeName(type.value)}>`;
  }
}

/** "intValue: int64" — the JSON name and the proto type, `[]` for repeated. */
export function fieldLine(f: FieldIR): string {
  return `${f.jsonName}: ${typeName(f.type)}${f.repeated && f.type.kind !== "map" ? "[]" : ""}`;
}

/** The help text listing every method, its route and its input fields. */
export function methodsHelp(methods: readonly CallableMethod[], workspace: string): string {
  const lines = [`Methods in the schemas of ${workspace}:`];
  for (const m of methods) {
    const route = m.method.http === undefined ? "" : `  (${m.method.http.method} ${m.method.http.path})`;
    const note = m.method.internal ? "  internal: cluster peers only" : m.method.clientStreaming || m.method.serverStreaming ? "  streaming: not callable here" : "";
    lines.push(`  ${m.fullName}${route}${note}`);
    const fields = m.method.input.fields.map(fieldLine).join(", ");
    lines.push(`    input ${m.method.input.fullName} ${fields === "" ? "{}" : `{ ${fields} }`}`);
  }
  lines.push("", "64-bit integers are JSON strings, enums their names, bytes base64 (the proto3 JSON mapping).", "");
  return lines.join("\n");
}
