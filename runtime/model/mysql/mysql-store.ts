// The mysql kind: a mysql2 promise pool. Statements are prepared (execute), int64 columns come
// back as strings and become bigint (supportBigNumbers + bigNumberStrings), so nothing passes
// through a double.
import { createPool, type Pool, type PoolConnection, type PoolOptions } from "mysql2/promise";
import type { ModelDescriptor } from "../descriptor.js";
import { unavailable } from "../errors.js";
import type { ModelStore, ModelTable } from "../store.js";
import { parseMysqlUrl, printableAddress, type MysqlConfig } from "./mysql-config.js";
import { toModelError } from "./mysql-errors.js";
import { migrateModels, type MigrationStep } from "./migrate.js";
import { MysqlTable, type Executor } from "./mysql-table.js";

/** MySQL's "Unknown database" (1049): rony-ts never creates databases, only the tables in them. */
const ER_BAD_DB_ERROR = 1049;

export class MysqlStore implements ModelStore {
  readonly kind = "mysql";
  readonly name: string;
  /** `mysql://user@host:port/db`, as errors print it. */
  readonly address: string;
  /** The mysql2 pool, for queries outside the models. */
  readonly pool: Pool;
  readonly tablePrefix: string;
  readonly #tables = new Map<string, MysqlTable<unknown>>();

  private constructor(config: MysqlConfig, pool: Pool, address: string) {
    this.name = config.name;
    this.pool = pool;
    this.address = address;
    this.tablePrefix = config.tablePrefix ?? "";
  }

  /** Creates the pool and checks one connection; rejects with UNAVAILABLE naming the connection and address. */
  static async connect(config: MysqlConfig): Promise<MysqlStore> {
    const a = parseMysqlUrl(config.url);
    const options: PoolOptions = {
      ...a,
      connectionLimit: config.poolSize ?? 10,
      connectTimeout: config.connectTimeoutMs ?? 5_000,
      supportBigNumbers: true,
      bigNumberStrings: true,
      charset: "utf8mb4",
      enableKeepAlive: true,
    };
    const pool = createPool(options);
    const store = new MysqlStore(config, pool, printableAddress(a));
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end().catch(() => undefined);
      // The server answers but has no such database: the one fix is the user's to make, so say it.
      if ((error as { errno?: number }).errno === ER_BAD_DB_ERROR) {
        throw unavailable(config.name, store.address, `the database "${a.database}" does not exist on ${a.host}:${a.port}: ` +
          `create it (CREATE DATABASE \`${a.database}\`) or set this connection's url to a database that exists`);
      }
      throw unavailable(config.name, store.address, `cannot connect (${(error as Error).message})`);
    }
    return store;
  }

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    let table = this.#tables.get(model.name);
    if (table === undefined) {
      table = new MysqlTable(model as ModelDescriptor<unknown>, this.tablePrefix + model.table, this.pool, this);
      this.#tables.set(model.name, table);
    }
    return table as ModelTable<T>;
  }

  /** Creates missing tables, columns and indexes; returns what it did (nothing on a second run). */
  async migrate(models: readonly ModelDescriptor<unknown>[]): Promise<MigrationStep[]> {
    try {
      return await migrateModels(this.pool, models, this.tablePrefix);
    } catch (error) {
      throw toModelError(error, models.map((m) => m.name).join(", "), this.name, this.address);
    }
  }

  /**
   * Runs `work` in one transaction on one pooled connection: committed when it resolves, rolled
   * back when it rejects. Repositories built on the `tx` store take part in it.
   */
  async transaction<R>(work: (tx: ModelStore) => Promise<R>): Promise<R> {
    let conn: PoolConnection;
    try {
      conn = await this.pool.getConnection();
    } catch (error) {
      throw toModelError(error, "transaction", this.name, this.address);
    }
    let broken = false;
    try {
      await conn.query("START TRANSACTION");
      const result = await work(new TransactionStore(this, conn));
      await conn.query("COMMIT");
      return result;
    } catch (error) {
      await conn.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw toModelError(error, "transaction", this.name, this.address);
    } finally {
      if (broken) conn.destroy();
      else conn.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The store a transaction's work sees: every table runs on the transaction's connection. */
class TransactionStore implements ModelStore {
  readonly kind = "mysql";
  readonly name: string;

  constructor(
    private readonly parent: MysqlStore,
    private readonly conn: Executor,
  ) {
    this.name = parent.name;
  }

  table<T>(model: ModelDescriptor<T>): ModelTable<T> {
    return new MysqlTable(model, this.parent.tablePrefix + model.table, this.conn, this.parent);
  }

  async migrate(): Promise<void> {
    throw new Error("migrate outside a transaction: DDL commits implicitly in MySQL");
  }

  async close(): Promise<void> {}
}
