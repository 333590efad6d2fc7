/**
 * The machine's long-running services that tests talk to. Each `require…` resolves with the
 * connection settings when the service answers, and otherwise rejects with a
 * `ServiceUnavailableError` that names the service and the command that starts it — so a red
 * test says what to do instead of timing out.
 *
 *   const redis = await requireMachineRedis();   // { host: "127.0.0.1", port: 6379 }
 *   const db = await requireMariaDb();           // { host, port, user: "root", password: "", database: "test" }
 */
import { createConnection } from "mysql2/promise";
import { command } from "./redis-server.js";

export const MACHINE_REDIS_START =
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log';
export const MARIADB_START = "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd";

export class ServiceUnavailableError extends Error {
  readonly code = "SERVICE_UNAVAILABLE";
  constructor(
    readonly service: string,
    readonly address: string,
    readonly startCommand: string,
    reason: string,
  ) {
    super(`${service} is not reachable at ${address} (${reason}); start it with: ${startCommand}`);
    this.name = "ServiceUnavailableError";
  }
}

export interface MachineRedis {
  host: string;
  port: number;
}

export interface MariaDbSettings {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** The machine's Redis (127.0.0.1:6379 unless overridden), checked with a PING. */
export async function requireMachineRedis(override: Partial<MachineRedis> = {}): Promise<MachineRedis> {
  const settings = { host: "127.0.0.1", port: 6379, ...override };
  const reply = await command({ ...settings, address: `${settings.host}:${settings.port}`, dir: "" }, "PING", 1_000);
  if (!reply.startsWith("+PONG")) {
    const reason = reply === "" ? "no answer to PING" : `PING answered ${JSON.stringify(reply.trim())}`;
    throw new ServiceUnavailableError("Redis", `${settings.host}:${settings.port}`, MACHINE_REDIS_START, reason);
  }
  return settings;
}

/** The machine's MariaDB (127.0.0.1:3306, root, empty password, database `test`), checked with `SELECT 1`. */
export async function requireMariaDb(override: Partial<MariaDbSettings> = {}): Promise<MariaDbSettings> {
  const settings = { host: "127.0.0.1", port: 3306, user: "root", password: "", database: "test", ...override };
  try {
    const connection = await createConnection({ ...settings, connectTimeout: 2_000 });
    try {
      await connection.query("SELECT 1");
    } finally {
      await connection.end();
    }
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ServiceUnavailableError("MariaDB", `${settings.host}:${settings.port}`, MARIADB_START, reason);
  }
  return settings;
}
