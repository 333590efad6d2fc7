// x.proto with services → x.rony.ts: constructor ids, method descriptors, a server interface,
// register<Service>(), the REST route table and a typed client per service.
import {
  formatConstructorId,
  quote,
  type FileIR,
  type FileSink,
  type GeneratedFile,
  type GeneratorPlugin,
  type MethodIR,
  type ServiceIR,
} from "../../compiler/index.js";
import { docLines, messageSymbol, runtimeSymbol } from "../common/imports.js";

export const servicePlugin: GeneratorPlugin = {
  name: "service",
  generate(schema, sink) {
    for (const file of schema.files) {
      if (file.services.length === 0) continue;
      const out = sink.newFile(`${file.modulePath}.rony.ts`, file.name);
      printMessageIds(out, file);
      for (const service of file.services) printService(out, sink, service);
    }
  },
};

function printMessageIds(out: GeneratedFile, file: FileIR): void {
  out.print("/** Constructor ids of this file's messages: FNV-1a 32-bit of the fully-qualified name. */");
  out.print(`export const ${out.declare("MessageIds")} = {`);
  for (const m of file.messages) out.print(`  ${m.tsName}: ${formatConstructorId(m.constructorId)},`);
  out.print("} as const;");
  out.print();
}

function printService(out: GeneratedFile, sink: FileSink, service: ServiceIR): void {
  const s = service.name;
  const rt = (name: string, typeOnly = true) => runtimeSymbol(sink, "rpc", name, typeOnly);
  const type = (m: MethodIR, which: "input" | "output") => messageSymbol(sink, out.name, m[which], true);
  const value = (m: MethodIR, which: "input" | "output") => messageSymbol(sink, out.name, m[which]);
  const descriptorName = (m: MethodIR) => `${s}_${m.name}`;

  out.print(`// ---- service ${service.fullName} ----`);
  out.print();
  out.print(`/** Constructor ids of the rpcs of ${service.fullName}. */`);
  out.print(`export const ${out.declare(`${s}Ids`)} = {`);
  for (const m of service.methods) out.print(`  ${m.name}: ${formatConstructorId(m.constructorId)},`);
  out.print("} as const;");
  out.print();

  for (const m of service.methods) {
    out.print(`const ${out.declare(descriptorName(m))}: `, rt("MethodDescriptor"), "<", type(m, "input"), ", ", type(m, "output"), "> = {");
    out.print(`  service: ${quote(service.fullName)},`);
    out.print(`  name: ${quote(m.name)},`);
    out.print(`  constructorId: ${s}Ids.${m.name},`);
    out.print("  input: ", value(m, "input"), ",");
    out.print("  output: ", value(m, "output"), ",");
    out.print(`  outputConstructorId: ${formatConstructorId(m.output.constructorId)},`);
    out.print(`  internal: ${m.internal},`);
    out.print(`  readOnly: ${m.readOnly},`);
    out.print(`  followerOk: ${m.followerOk},`);
    out.print(`  replication: ${quote(service.replication)},`);
    const shardKey = service.replication === "sharded" ? m.input.fields.find((f) => f.name === service.shardKey) : undefined;
    if (shardKey !== undefined) out.print(`  shardKey: (i) => i.${shardKey.tsName},`);
    out.print(`  timeoutMs: ${m.timeoutMs},`);
    out.print(`  pattern: ${quote(m.pattern)},`);
    out.print(`  http: ${httpLiteral(m)},`);
    const kind = streamKind(m);
    if (kind !== undefined) {
      out.print(`  streaming: ${quote(kind)},`);
      out.print(`  inputConstructorId: ${formatConstructorId(m.input.constructorId)},`);
    }
    out.print("};");
    out.print();
  }

  for (const line of docLines(service.comment)) out.print(line);
  out.print(`export const ${out.declare(`${s}Service`)} = {`);
  out.print(`  name: ${quote(service.fullName)},`);
  out.print("  methods: {");
  for (const m of service.methods) out.print(`    ${m.localName}: ${descriptorName(m)},`);
  out.print("  },");
  out.print("} as const satisfies ", rt("ServiceDescriptor"), ";");
  out.print();

  const routed = service.methods.filter((m) => m.http !== undefined);
  out.print(`/** REST routes of ${service.fullName}, from (rony.rpc).http. */`);
  out.print(`export const ${out.declare(`${s}Routes`)}: readonly `, rt("HttpRoute"), "[] = [");
  for (const m of routed) out.print(`  { method: ${quote(m.http?.method ?? "")}, path: ${quote(m.http?.path ?? "")}, rpc: ${descriptorName(m)} },`);
  out.print("];");
  out.print();

  printServerInterface(out, service, rt, type);
  out.print();
  out.print(`/** Wires an implementation of ${s}Server into a dispatcher (the edge server, a test harness). */`);
  out.print(`export function ${out.declare(`register${s}`)}<Ctx extends `, rt("CallContext"), ">(server: ", rt("HandlerRegistry"), `<Ctx>, impl: ${s}Server<Ctx>): void {`);
  for (const m of service.methods) {
    const kind = streamKind(m);
    if (kind === undefined) out.print(`  server.add(${descriptorName(m)}, (input, ctx) => impl.${m.localName}(input, ctx));`);
    else if (kind === "server") out.print(`  server.addStream(${descriptorName(m)}, { server: (input, ctx) => impl.${m.localName}(input, ctx) });`);
    else out.print(`  server.addStream(${descriptorName(m)}, { ${kind}: (inputs, ctx) => impl.${m.localName}(inputs, ctx) });`);
  }
  out.print("}");
  out.print();

  if (!service.noClient) printClient(out, service, rt, type);
  if (service.replication !== "none" || service.methods.some((m) => m.internal)) printClusterStub(out, service, rt, type);
}

type SymbolOf = (name: string, typeOnly?: boolean) => ReturnType<typeof runtimeSymbol>;
type TypeOf = (m: MethodIR, which: "input" | "output") => ReturnType<typeof messageSymbol>;

const deterministicNote = [
  "A handler takes time and randomness from clockOf(ctx), never Date.now() or Math.random(),",
  "touches only models on raft connections, and calls nothing outside (docs/cluster.md).",
];

const replicationNotes: Partial<Record<ServiceIR["replication"], string>> = {
  raft: ["Replicated (REPLICATION_RAFT): on a replica set each write runs on every replica, in log order.", ...deterministicNote].join("\n"),
  sharded: [
    "Sharded (REPLICATION_SHARDED): a call runs on the replica set that owns the slot of its shard key,",
    "each write on every replica of that set, in log order.",
    ...deterministicNote,
  ].join("\n"),
};

function printServerInterface(out: GeneratedFile, service: ServiceIR, rt: SymbolOf, type: TypeOf): void {
  const s = service.name;
  const doc = service.comment || `Implement this to serve ${service.fullName}.`;
  const note = replicationNotes[service.replication];
  for (const line of docLines(note === undefined ? doc : `${doc}\n\n${note}`)) out.print(line);
  out.print(`export interface ${out.declare(`${s}Server`)}<Ctx extends `, rt("CallContext"), " = ", rt("CallContext"), "> {");
  for (const m of service.methods) {
    for (const line of docLines(m.comment, "  ")) out.print(line);
    const kind = streamKind(m);
    const input = kind === "client" || kind === "bidi" ? ["inputs: AsyncIterable<", type(m, "input"), ">"] : ["input: ", type(m, "input")];
    // A unary handler may answer with a plain value: the edge replies with no promise step.
    const output = kind === "server" || kind === "bidi" ? ["AsyncIterable<", type(m, "output"), ">"] : kind === "client" ? ["Promise<", type(m, "output"), ">"] : [type(m, "output"), " | Promise<", type(m, "output"), ">"];
    out.print(`  ${m.localName}(`, ...input, ", ctx: Ctx): ", ...output, ";");
  }
  out.print("}");
}

function printClient(out: GeneratedFile, service: ServiceIR, rt: SymbolOf, type: TypeOf): void {
  const s = service.name;
  out.print(`/** A typed client for ${service.fullName}; runs over any Transport (WebSocket, HTTP). */`);
  out.print(`export class ${out.declare(`${s}Client`)} {`);
  out.print("  readonly #transport: ", rt("Transport"), ";");
  out.print();
  out.print("  constructor(transport: ", rt("Transport"), ") {");
  out.print("    this.#transport = transport;");
  out.print("  }");
  for (const m of service.methods.filter((x) => !x.internal)) printClientMethod(out, service, m, rt, type);
  out.print("}");
  out.print();
}

function printClientMethod(out: GeneratedFile, service: ServiceIR, m: MethodIR, rt: SymbolOf, type: TypeOf): void {
  const s = service.name;
  out.print();
  for (const line of docLines(m.comment, "  ")) out.print(line);
  const kind = streamKind(m);
  if (kind === undefined) {
    out.print(`  ${m.localName}(input: `, type(m, "input"), ", options?: ", rt("CallOptions"), "): Promise<", type(m, "output"), "> {");
    out.print(`    return this.#transport.call(${s}_${m.name}, input, options);`);
  } else if (kind === "server") {
    out.print(`  ${m.localName}(input: `, type(m, "input"), ", options?: ", rt("CallOptions"), "): AsyncIterable<", type(m, "output"), "> {");
    out.print("    return ", rt("serverStream", false), `(this.#transport, ${s}_${m.name}, input, options);`);
  } else {
    const returns = kind === "client" ? "Promise<" : "AsyncIterable<";
    const inputs = ["inputs: AsyncIterable<", type(m, "input"), "> | Iterable<", type(m, "input"), ">"];
    out.print(`  ${m.localName}(`, ...inputs, ", options?: ", rt("CallOptions"), "): ", returns, type(m, "output"), "> {");
    out.print("    return ", rt(kind === "client" ? "clientStream" : "bidiStream", false), `(this.#transport, ${s}_${m.name}, inputs, options);`);
  }
  out.print("  }");
}

function streamKind(m: MethodIR): "server" | "client" | "bidi" | undefined {
  if (m.clientStreaming) return m.serverStreaming ? "bidi" : "client";
  return m.serverStreaming ? "server" : undefined;
}

/** Every rpc, internal ones included, for calls between nodes (the tunnel or a replica set's leader). */
function printClusterStub(out: GeneratedFile, service: ServiceIR, rt: SymbolOf, type: TypeOf): void {
  const s = service.name;
  out.print(`/**`);
  out.print(` * Calls ${service.fullName} from inside the cluster, internal rpcs included: over a ReplicaNode's`);
  out.print(` * leaderTransport() (its replica set's leader) or tunnel(id) (one node). The edge refuses internal rpcs.`);
  if (service.replication === "sharded") {
    out.print(` * Each input carries the shard key "${service.shardKey}": a ClusterNode's transport() takes a call to the`);
    out.print(" * replica set owning its slot; a replica set that does not own it answers SlotElsewhereError (docs/cluster.md).");
  }
  out.print(` */`);
  out.print(`export class ${out.declare(`${s}ClusterStub`)} {`);
  out.print("  readonly #transport: ", rt("Transport"), ";");
  out.print();
  out.print("  constructor(transport: ", rt("Transport"), ") {");
  out.print("    this.#transport = transport;");
  out.print("  }");
  for (const m of service.methods) printClientMethod(out, service, m, rt, type);
  out.print("}");
  out.print();
}

function httpLiteral(m: MethodIR): string {
  if (m.http === undefined) return "undefined";
  const jsonName = (param: string) => m.input.fields.find((f) => f.name === param || f.jsonName === param)?.jsonName ?? param;
  const body = m.http.body === "" || m.http.body === "*" ? m.http.body : jsonName(m.http.body);
  const params = m.http.pathParams.map((p) => quote(jsonName(p))).join(", ");
  // Query and path values are strings; these fields take "true"/"false" as JSON booleans.
  const bools = m.input.fields.filter((f) => f.type.kind === "scalar" && f.type.scalar === "bool").flatMap((f) => (f.name === f.jsonName ? [f.jsonName] : [f.jsonName, f.name]));
  const boolParams = bools.length === 0 ? "" : `, boolParams: [${bools.map(quote).join(", ")}]`;
  return `{ method: ${quote(m.http.method)}, path: ${quote(m.http.path)}, pathParams: [${params}], body: ${quote(body)}${boolParams} }`;
}
