// x.proto with (rony.connection) options → x.connections.ts: the declarations, a typed object
// with one property per connection, its opener (config file + environment), and for each
// custom kind an abstract `<Kind>Connection` class the user completes by extending it.
import {
  GenerationError,
  pascalCase,
  quote,
  type ConnectionIR,
  type Diagnostic,
  type FileIR,
  type FileSink,
  type GeneratedFile,
  type GeneratorPlugin,
  type Printable,
} from "../../compiler/index.js";
import { runtimeSymbol } from "../common/imports.js";

/**
 * Built-in kind → the runtime class of its property (with its connection's class as the type
 * argument for the model stores over runtime/redis's connections) and the OpenedConnections getter.
 */
const builtins: Readonly<Record<string, { type: string; of?: string; getter: string }>> = {
  memory: { type: "MemoryStore", getter: "memory" },
  mysql: { type: "MysqlStore", getter: "mysql" },
  redis: { type: "RedisStore", getter: "redis" },
  redis_sharded: { type: "KeyValueStore", of: "ShardedRedis", getter: "redisSharded" },
  redis_cluster: { type: "KeyValueStore", of: "ClusterRedis", getter: "redisCluster" },
  redis_ha: { type: "RedisHa", getter: "redisHa" },
  raft: { type: "RaftStore", getter: "raft" },
};

export const connectionsPlugin: GeneratorPlugin = {
  name: "connections",
  generate(schema, sink) {
    const problems = schema.files.flatMap((f) => f.connections.filter((c) => c.name === "close").map((c) => closeClash(f, c)));
    if (problems.length > 0) throw new GenerationError(problems);
    for (const file of schema.files) {
      if (file.connections.length === 0) continue;
      printConnections(sink.newFile(`${file.modulePath}.connections.ts`, file.name), sink, file);
    }
  },
};

function closeClash(file: FileIR, c: ConnectionIR): Diagnostic {
  return { ...c.source, element: `file ${file.name}`, option: "(rony.connection).name", message: `"close" is taken by the connections object's close(); choose another name` };
}

function prefixOf(file: FileIR): string {
  const base = file.name.split("/").pop()?.replace(/\.proto$/, "") ?? file.name;
  return pascalCase(base.replace(/[^A-Za-z0-9_]/g, "_"));
}

const customClass = (c: ConnectionIR) => `${pascalCase(c.kind)}Connection`;

function printConnections(out: GeneratedFile, sink: FileSink, file: FileIR): void {
  const rt = (name: string, typeOnly = true) => runtimeSymbol(sink, "", name, typeOnly);
  const p = prefixOf(file);
  const custom = file.connections.filter((c) => builtins[c.kind] === undefined);
  const typeOf = (c: ConnectionIR): Printable[] => {
    const builtin = builtins[c.kind];
    if (builtin === undefined) return [customClass(c)];
    return builtin.of === undefined ? [rt(builtin.type)] : [rt(builtin.type), "<", rt(builtin.of), ">"];
  };

  out.print(`/** The (rony.connection) declarations of ${file.name}. */`);
  out.print(`export const ${out.declare(`${p}ConnectionDeclarations`)} = [`);
  for (const c of file.connections) out.print(`  { name: ${quote(c.name)}, kind: ${quote(c.kind)} },`);
  out.print("] as const;");
  out.print();

  for (const kind of [...new Set(custom.map(customClass))]) {
    const c = custom.find((x) => customClass(x) === kind) as ConnectionIR;
    out.print(`/**`);
    out.print(` * Connections of the custom kind ${quote(c.kind)}: extend this class, implement connect() and close(),`);
    out.print(` * and pass a factory for it in \`custom\` to open${p}Connections(). Its settings are \`config\`.`);
    out.print(` */`);
    out.print(`export abstract class ${out.declare(kind)} implements `, rt("CustomConnection"), " {");
    out.print("  constructor(");
    out.print("    readonly name: string,");
    out.print("    readonly config: ", rt("CustomConnectionConfig"), ",");
    out.print("  ) {}");
    out.print();
    out.print("  /** Connect to `config.url`; reject with an error that names it when that fails. */");
    out.print("  abstract connect(): Promise<void>;");
    out.print();
    out.print("  abstract close(): Promise<void>;");
    out.print("}");
    out.print();
  }

  out.print(`/** The connections of ${file.name}, one property each; close() closes them all. */`);
  out.print(`export interface ${out.declare(`${p}Connections`)} {`);
  for (const c of file.connections) out.print(`  readonly ${c.name}: `, ...typeOf(c), ";");
  out.print("  close(): Promise<void>;");
  out.print("}");
  out.print();

  // The options type always exists, so app code can pass `custom` before it declares a custom kind.
  const optionsType = `${p}ConnectionsOptions`;
  out.print(`export interface ${out.declare(optionsType)} extends `, rt("OpenConnectionsOptions"), " {");
  if (custom.length === 0) {
    out.print("  /** No connection of this file has a custom kind. */");
    out.print("  readonly custom?: Record<string, never>;");
  } else {
    out.print("  /** A factory per custom connection. */");
    out.print("  readonly custom: {");
    for (const c of custom) out.print(`    readonly ${c.name}: (config: `, rt("CustomConnectionConfig"), `) => ${customClass(c)};`);
    out.print("  };");
  }
  out.print("}");
  out.print();

  const env = file.connections.map((c) => `${c.name}: ${envName(c.name)}_URL${file.connections.filter((x) => x.kind === c.kind).length === 1 ? ` or ${envName(c.kind)}_URL` : ""}`);
  out.print("/**");
  out.print(` * Opens the connections of ${file.name}. Settings come from the config file ($RONY_CONFIG or`);
  out.print(" * ./rony.config.json), `options.settings`, then the environment, which wins:");
  for (const line of env) out.print(` *   ${line}`);
  out.print(" * and <NAME>_POOL_SIZE, <NAME>_TIMEOUT_MS. A connection that fails is named with its address.");
  out.print(" */");
  const param = custom.length === 0 ? `options: ${optionsType} = {}` : `options: ${optionsType}`;
  out.print(`export async function ${out.declare(`open${p}Connections`)}(`, param, `): Promise<${p}Connections> {`);
  out.print("  const opened = await ", rt("openConnections", false), `(${p}ConnectionDeclarations, options);`);
  out.print("  return {");
  for (const c of file.connections) {
    const getter = builtins[c.kind]?.getter;
    if (getter !== undefined) out.print(`    ${c.name}: opened.${getter}(${quote(c.name)}),`);
    else out.print(`    ${c.name}: await opened.custom(${quote(c.name)}, options.custom.${c.name}),`);
  }
  out.print("    close: () => opened.close(),");
  out.print("  };");
  out.print("}");
}

function envName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}
