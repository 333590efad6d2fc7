import { Redis, type RedisOptions } from "ioredis";
import { ConnectionError } from "../errors.js";

export interface RedisAddress {
  host: string;
  port: number;
}

export function addressOf(a: RedisAddress): string {
  return `${a.host}:${a.port}`;
}

/** Settings shared by every kind; anything else goes through `redisOptions`. */
export interface ClientTuning {
  /** Reject a command that got no reply in this time (ioredis `commandTimeout`); default none. */
  commandTimeoutMs?: number;
  /** Give up connecting after this time; default 2000 ms. */
  connectTimeoutMs?: number;
  /** Extra ioredis options (password, db, tls …). */
  redisOptions?: RedisOptions;
}

/**
 * An ioredis client that does not connect until `connectClient`, keeps at most one retry per
 * command (so a dead server fails a call instead of queueing it for seconds), and whose
 * 'error' events are absorbed: failures reach callers through their calls.
 */
export function createClient(address: RedisAddress, tuning: ClientTuning = {}, extra: RedisOptions = {}): Redis {
  const client = new Redis({
    host: address.host,
    port: address.port,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: tuning.connectTimeoutMs ?? 2_000,
    commandTimeout: tuning.commandTimeoutMs,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2_000),
    ...extra,
    ...tuning.redisOptions,
  });
  client.on("error", () => undefined);
  return client;
}

/**
 * Connects, or rejects with a ConnectionError naming the connection and the address. With
 * `keepRetrying`, a client that failed is left to ioredis' reconnect loop instead of being
 * closed (a disconnect() here would also cancel every later reconnect).
 */
export async function connectClient(
  client: Redis,
  connection: string,
  address: RedisAddress,
  options: { keepRetrying?: boolean } = {},
): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    if (!options.keepRetrying) client.disconnect();
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConnectionError(connection, addressOf(address), `cannot connect (${reason})`, { cause: error });
  }
}

/** Connects every client; if one fails, disconnects all and rethrows its error. */
export async function connectAll(
  clients: readonly { client: Redis; address: RedisAddress }[],
  connection: string,
): Promise<void> {
  const results = await Promise.allSettled(clients.map((c) => connectClient(c.client, connection, c.address)));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) {
    for (const c of clients) c.client.disconnect();
    throw failed.reason;
  }
}

/** QUIT, or a hard disconnect when the server is gone. */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status === "end") return;
  try {
    if (client.status === "ready") await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}
