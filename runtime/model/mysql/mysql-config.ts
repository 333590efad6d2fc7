// Settings of one mysql connection, and the address errors print (never the password).

export interface MysqlConfig {
  /** The connection's declared name. */
  readonly name: string;
  /** mysql://user:password@host:port/database */
  readonly url: string;
  /** Pooled connections; default 10. */
  readonly poolSize?: number;
  /** Give up connecting after this time; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Prepended to every table name (tests use it to keep their own tables). */
  readonly tablePrefix?: string;
}

export interface MysqlAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
}

export function parseMysqlUrl(url: string): MysqlAddress {
  const u = new URL(url);
  if (u.protocol !== "mysql:" && u.protocol !== "mariadb:") throw new Error(`"${url}" is not a mysql:// URL`);
  return {
    host: u.hostname || "127.0.0.1",
    port: u.port === "" ? 3306 : Number(u.port),
    user: decodeURIComponent(u.username) || "root",
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

/** `mysql://user@host:port/db`: what error messages name. */
export function printableAddress(a: MysqlAddress): string {
  return `mysql://${a.user}@${a.host}:${a.port}/${a.database}`;
}
