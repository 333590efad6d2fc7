// MySQL-only behaviour: the DDL the descriptor produces, the idempotent migration, transactions.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AccountModel, AccountRepository, SessionModel, SiteSettingsModel } from "../../generated/examples/accounts.models.js";
import { AuditEntryModel } from "../../generated/examples/audit.models.js";
import { NoteModel } from "../../generated/examples/notes.models.js";
import { createTableSql, ErrorCode, MysqlStore, RonyError, type ModelDescriptor } from "../../runtime/index.js";
import { openMysql, type OpenBackend } from "./support/backends.js";
import { account } from "./support/records.js";

describe("mysql schema", () => {
  it("creates the session table with typed columns, the primary key and both indexes", () => {
    expect(createTableSql(SessionModel, "session")).toBe(
      [
        "CREATE TABLE IF NOT EXISTS `session` (",
        "  `account_id` BIGINT NOT NULL,",
        "  `created_at` BIGINT NOT NULL,",
        "  `token` VARBINARY(1020) NOT NULL,",
        "  `device` VARBINARY(1020) NOT NULL,",
        "  PRIMARY KEY (`account_id`, `created_at`, `token`),",
        "  UNIQUE KEY `session_token` (`token`),",
        "  KEY `session_device` (`device`)",
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      ].join("\n"),
    );
  });

  // MySQL 8 has no utf8mb4_nopad_bin (MariaDB's) and MariaDB 10.x no utf8mb4_0900_bin (MySQL's);
  // MySQL 8 refuses a literal default on TEXT, BLOB and JSON columns, MariaDB takes both forms.
  it.each([AccountModel, SessionModel, SiteSettingsModel, NoteModel, AuditEntryModel] as ModelDescriptor<unknown>[])(
    "writes DDL for %s that MariaDB and MySQL 8 both take: utf8mb4_bin only, expression defaults on TEXT, BLOB and JSON",
    (model) => {
      const sql = createTableSql(model, model.table);
      expect([...sql.matchAll(/COLLATE[ =](\w+)/g)].map((m) => m[1])).toEqual(["utf8mb4_bin"]);
      for (const f of model.fields) {
        const [, type, fallback] = /^(\w+).*?(?:DEFAULT (.*))?$/.exec(f.sql) ?? [];
        if (fallback !== undefined && ["LONGTEXT", "LONGBLOB", "JSON"].includes(type ?? "")) expect(fallback, `${f.name}: ${f.sql}`).toMatch(/^\(.*\)$/);
      }
    },
  );

  it("documents in the generated file exactly the DDL that migrate runs", () => {
    const source = readFileSync(new URL("../../generated/examples/accounts.models.ts", import.meta.url), "utf8");
    const documented = [...source.matchAll(/^ \* {5}(.*)$/gm)].map((m) => m[1]).join("\n");
    expect(documented).toBe([createTableSql(AccountModel, "account"), createTableSql(SiteSettingsModel, "site_settings")].join("\n"));
  });

  describe("on MariaDB", () => {
    let opened: OpenBackend & { store: MysqlStore };
    let accounts: AccountRepository;
    const prefix = `s${process.pid}_`;
    const table = `${prefix}account`;

    beforeAll(async () => {
      opened = await openMysql(prefix);
      accounts = new AccountRepository(opened.store);
    });
    afterAll(async () => {
      await opened?.cleanup();
    });

    it("does nothing when migrated again", async () => {
      expect(await opened.store.migrate([AccountModel, SessionModel, SiteSettingsModel])).toEqual([]);
    });

    it("adds back a missing index and a missing column, keeping the rows", async () => {
      const a = await accounts.insert(account({ tenant: "migrate" }));
      await opened.store.pool.query(`ALTER TABLE \`${table}\` DROP INDEX account_email, DROP COLUMN nickname`);
      expect(await opened.store.migrate([AccountModel])).toEqual([
        { table, action: "add column", name: "nickname" },
        { table, action: "add index", name: "account_email" },
      ]);
      expect(await accounts.get(a)).toEqual(a);
      await expect(accounts.insert(account({ tenant: "migrate", email: a.email }))).rejects.toSatisfy((e) => RonyError.is(e, ErrorCode.ALREADY_EXISTS));
    });

    it("commits a transaction's writes together", async () => {
      const [a, b] = [account({ tenant: "tx" }), account({ tenant: "tx" })];
      await opened.store.transaction(async (tx) => {
        const inTx = new AccountRepository(tx);
        await inTx.insert(a);
        await inTx.insert(b);
        expect(await accounts.get(a)).toBeNull();
      });
      expect(await accounts.getMany([a, b])).toEqual([a, b]);
    });

    it("rolls a transaction back when its work rejects, with the work's error", async () => {
      const a = account({ tenant: "tx-rollback" });
      const taken = await accounts.insert(account({ tenant: "tx-rollback" }));
      const error = await opened.store
        .transaction(async (tx) => {
          const inTx = new AccountRepository(tx);
          await inTx.insert(a);
          await inTx.insert(account({ tenant: "tx-rollback", email: taken.email }));
        })
        .catch((e: unknown) => e);
      expect(RonyError.is(error, ErrorCode.ALREADY_EXISTS)).toBe(true);
      expect(await accounts.get(a)).toBeNull();
      expect(await accounts.count({ tenant: "tx-rollback" })).toBe(1);
    });

    it("rejects a string key longer than 255 characters with INVALID_ARGUMENT", async () => {
      for (const write of [(t: string) => accounts.insert(account({ tenant: t })), (t: string) => accounts.save(account({ tenant: t }))]) {
        const error = await write("x".repeat(256)).catch((e: unknown) => e);
        expect(RonyError.is(error, ErrorCode.INVALID_ARGUMENT), String(error)).toBe(true);
        expect((error as Error).message).toContain("tenant is longer than 255 characters");
      }
      const a = await accounts.save(account({ tenant: "t", email: "é".repeat(256) })).catch((e: unknown) => e);
      expect(RonyError.is(a, ErrorCode.INVALID_ARGUMENT)).toBe(true);
    });

    it("stores 255 characters of four bytes each in a key, and gives them back", async () => {
      const tenant = "😀".repeat(255);
      const a = await accounts.insert(account({ tenant, email: `${"𝄞".repeat(250)}@x` }));
      expect(await accounts.get(a)).toEqual(a);
      expect((await accounts.findByEmail(a.email))?.tenant).toBe(tenant);
      expect((await accounts.list({ tenant })).items).toEqual([a]);
    });

    it("takes the defaults of TEXT, BLOB and JSON columns from their expressions when a row leaves them out", async () => {
      await opened.store.pool.query(`INSERT INTO \`${table}\` (tenant, id, email, handle, plan) VALUES ('raw', 1, 'raw@x', 'raw', 0)`);
      const a = await accounts.get({ tenant: "raw", id: 1n });
      expect(a).toMatchObject({ displayName: "", avatar: new Uint8Array(), tags: [], friendIds: [], counters: {}, locale: "en" });
    });
  });
});
