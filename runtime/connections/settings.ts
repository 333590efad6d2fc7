// Where a connection's settings come from, weakest first: built-in defaults, the config file,
// settings passed in code, `<KIND>_URL` (when only one connection has that kind), then the
// connection's own `<NAME>_URL`, `<NAME>_POOL_SIZE`, `<NAME>_TIMEOUT_MS`. See docs/models.md.
import { existsSync, readFileSync } from "node:fs";

export interface ConnectionDeclaration {
  /** As declared with (rony.connection).name. */
  readonly name: string;
  /** mysql, redis, redis_sharded, redis_cluster, redis_ha, memory, raft, or a custom kind. */
  readonly kind: string;
}

/** One entry of the config file's "connections" object. */
export interface ConnectionSettings {
  /** mysql://user:pass@host:port/db, redis://host:port; several comma-separated for redis_sharded/cluster/ha. */
  readonly url: string;
  /** Pooled connections (mysql); default 10. */
  readonly poolSize: number;
  /** Connect and command timeout in milliseconds; default 5000. */
  readonly timeoutMs: number;
  /** Prepended to table names (mysql). */
  readonly tablePrefix: string;
  /** Prepended to keys (redis). */
  readonly keyPrefix: string;
  /** Anything else, for custom kinds. */
  readonly options: Readonly<Record<string, unknown>>;
}

export interface OpenConnectionsOptions {
  /** A JSON file `{ "connections": { "<name>": { "url": … } } }`; default $RONY_CONFIG, else ./rony.config.json if present. */
  readonly configFile?: string;
  /** Settings in code, per connection name; the environment still overrides them. */
  readonly settings?: Readonly<Record<string, Partial<ConnectionSettings>>>;
  /** Default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A setting that is missing, malformed or of the wrong type; names the connection and the setting. */
export class ConnectionConfigError extends Error {
  override readonly name = "ConnectionConfigError";

  constructor(
    readonly connection: string,
    readonly setting: string,
    reason: string,
  ) {
    super(`connection "${connection}": ${setting} ${reason}`);
  }
}

/** Where each built-in kind connects when nothing configures it (also what `rony-ts new connection` writes). */
export const defaultUrls: Readonly<Record<string, string>> = {
  mysql: "mysql://root@127.0.0.1:3306/rony",
  redis: "redis://127.0.0.1:6379",
  redis_sharded: "redis://127.0.0.1:6379",
  redis_cluster: "redis://127.0.0.1:7000",
  redis_ha: "redis://127.0.0.1:6379",
  memory: "memory:",
  raft: "raft:",
};

/** The environment-variable stem of a connection or kind name: "userDb" → "USER_DB". */
export function envName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

export function resolveSettings(
  declarations: readonly ConnectionDeclaration[],
  options: OpenConnectionsOptions = {},
): Map<string, ConnectionSettings> {
  const env = options.env ?? process.env;
  const file = readConfigFile(options.configFile ?? env.RONY_CONFIG ?? (existsSync("rony.config.json") ? "rony.config.json" : undefined));
  const resolved = new Map<string, ConnectionSettings>();
  for (const d of declarations) {
    const fromFile = file[d.name] ?? {};
    const inCode = options.settings?.[d.name] ?? {};
    const sameKind = declarations.filter((x) => x.kind === d.kind).length;
    const kindUrl = sameKind === 1 ? env[`${envName(d.kind)}_URL`] : undefined;
    const prefix = envName(d.name);
    const merged = { ...fromFile, ...inCode } as Record<string, unknown>;
    const url = env[`${prefix}_URL`] ?? kindUrl ?? text(d.name, "url", merged.url) ?? defaultUrls[d.kind] ?? "";
    resolved.set(d.name, {
      url,
      poolSize: count(d.name, `${prefix}_POOL_SIZE`, env[`${prefix}_POOL_SIZE`]) ?? count(d.name, "poolSize", merged.poolSize) ?? 10,
      timeoutMs: count(d.name, `${prefix}_TIMEOUT_MS`, env[`${prefix}_TIMEOUT_MS`]) ?? count(d.name, "timeoutMs", merged.timeoutMs) ?? 5_000,
      tablePrefix: text(d.name, "tablePrefix", merged.tablePrefix) ?? "",
      keyPrefix: text(d.name, "keyPrefix", merged.keyPrefix) ?? "",
      options: record(d.name, "options", merged.options) ?? {},
    });
  }
  return resolved;
}

function readConfigFile(path: string | undefined): Record<string, Record<string, unknown>> {
  if (path === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConnectionConfigError("*", `config file ${path}`, `cannot be read: ${(error as Error).message}`);
  }
  const connections = (parsed as { connections?: unknown } | null)?.connections;
  if (typeof connections !== "object" || connections === null) {
    throw new ConnectionConfigError("*", `config file ${path}`, `needs a "connections" object: { "connections": { "main": { "url": "…" } } }`);
  }
  return connections as Record<string, Record<string, unknown>>;
}

function text(connection: string, setting: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new ConnectionConfigError(connection, setting, `must be a string, got ${JSON.stringify(value)}`);
  return value;
}

function record(connection: string, setting: string, value: unknown): Readonly<Record<string, unknown>> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConnectionConfigError(connection, setting, `must be an object, got ${JSON.stringify(value)}`);
  }
  return value as Record<string, unknown>;
}

function count(connection: string, setting: string, value: unknown): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1) {
    throw new ConnectionConfigError(connection, setting, `must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return n;
}
