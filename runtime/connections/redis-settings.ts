// The settings of the multi-node Redis kinds (redis_sharded, redis_cluster, redis_ha): their
// comma-separated URL list, with the user, password and db every node shares, and the `options`
// each kind takes from the config file. A setting that cannot be honoured is an error naming it,
// never dropped: a password left out would only show up as NOAUTH on the first command.
import type { RedisOptions } from "ioredis";
import type { RedisAddress } from "../redis/connections/clients.js";
import type { ShardNode } from "../redis/sharded/shard-router.js";
import { ConnectionConfigError } from "./settings.js";

export interface RedisNodes {
  readonly addresses: RedisAddress[];
  /** The user, password and db of the URLs (ioredis options for every node's client). */
  readonly auth: Pick<RedisOptions, "username" | "password" | "db">;
}

/** Parses `redis://[user:password@]host:port[/db]`, comma-separated; every URL must name the same user, password and db. */
export function redisNodes(connection: string, urls: string): RedisNodes {
  const parsed = urls.split(",").map((raw) => {
    let u: URL;
    try {
      u = new URL(raw.trim());
    } catch {
      throw new ConnectionConfigError(connection, "url", `"${raw}" is not a redis:// URL`);
    }
    if (u.protocol !== "redis:") throw new ConnectionConfigError(connection, "url", `"${raw}" is not a redis:// URL`);
    const path = u.pathname.replace(/^\//, "");
    if (!/^\d*$/.test(path)) throw new ConnectionConfigError(connection, "url", `"${raw}": the path must be a db number, got "${path}"`);
    return {
      address: { host: u.hostname || "127.0.0.1", port: u.port === "" ? 6379 : Number(u.port) },
      username: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      db: path === "" ? 0 : Number(path),
    };
  });
  const first = parsed[0] as (typeof parsed)[number];
  if (parsed.some((p) => p.username !== first.username || p.password !== first.password || p.db !== first.db)) {
    throw new ConnectionConfigError(connection, "url", "must give every node the same user, password and db");
  }
  return {
    addresses: parsed.map((p) => p.address),
    auth: {
      ...(first.username === "" ? {} : { username: first.username }),
      ...(first.password === "" ? {} : { password: first.password }),
      db: first.db,
    },
  };
}

/** `options.weights`: one positive integer per URL, in URL order (default 1 each). */
export function shardNodes(connection: string, nodes: RedisNodes, options: Readonly<Record<string, unknown>>): ShardNode[] {
  only(connection, options, ["weights"]);
  const weights = options.weights;
  if (weights === undefined) return nodes.addresses;
  if (!Array.isArray(weights) || weights.length !== nodes.addresses.length || !weights.every(isPositiveInteger)) {
    throw new ConnectionConfigError(connection, "options.weights", `must list a positive integer for each of the ${nodes.addresses.length} URLs, got ${JSON.stringify(weights)}`);
  }
  return nodes.addresses.map((a, i) => ({ ...a, weight: weights[i] as number }));
}

/** A Redis Cluster has one db, 0; it takes no `options`. */
export function clusterNodes(connection: string, nodes: RedisNodes, options: Readonly<Record<string, unknown>>): RedisAddress[] {
  only(connection, options, []);
  if (nodes.auth.db !== 0) throw new ConnectionConfigError(connection, "url", `names db ${nodes.auth.db}, but a Redis Cluster has only db 0`);
  return nodes.addresses;
}

export interface HaOptions {
  writeQuorum?: number;
  readQuorum?: number;
  /** Per-call timeout of each replica (RedisHa's `timeoutMs`). */
  timeoutMs?: number;
}

/** `options.writeQuorum`, `options.readQuorum` (RedisHa checks them against the replica count) and `options.callTimeoutMs`. */
export function haOptions(connection: string, options: Readonly<Record<string, unknown>>): HaOptions {
  only(connection, options, ["writeQuorum", "readQuorum", "callTimeoutMs"]);
  const positive = (key: string): number | undefined => {
    const value = options[key];
    if (value === undefined) return undefined;
    if (!isPositiveInteger(value)) throw new ConnectionConfigError(connection, `options.${key}`, `must be a positive integer, got ${JSON.stringify(value)}`);
    return value;
  };
  return { writeQuorum: positive("writeQuorum"), readQuorum: positive("readQuorum"), timeoutMs: positive("callTimeoutMs") };
}

/** The kinds without options must not be given any: an ignored option is a misconfiguration nobody sees. */
export function noOptions(connection: string, options: Readonly<Record<string, unknown>>): void {
  only(connection, options, []);
}

function only(connection: string, options: Readonly<Record<string, unknown>>, allowed: readonly string[]): void {
  const unknown = Object.keys(options).find((key) => !allowed.includes(key));
  if (unknown !== undefined) {
    const known = allowed.length === 0 ? "this kind takes none" : `known: ${allowed.join(", ")}`;
    throw new ConnectionConfigError(connection, `options.${unknown}`, `is not an option (${known})`);
  }
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}
