// A connection lost mid-request: typed UNAVAILABLE naming the connection, then recovery once
// the server is back. Redis: a dedicated redis-server is SIGKILLed and restarted. MySQL: the
// pooled connection serving a blocked UPDATE is KILLed from another session.
import { createConnection } from "mysql2/promise";
import { afterAll, describe, expect, it } from "vitest";
import { AccountRepository } from "../../generated/examples/accounts.models.js";
import { ErrorCode, RonyError } from "../../runtime/index.js";
import { RedisFleet, sleep } from "../support/redis-server.js";
import { requireMariaDb } from "../support/services.js";
import { openMysql, openRedis } from "./support/backends.js";
import { account } from "./support/records.js";

async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe("redis connection faults", () => {
  let fleet: RedisFleet | undefined;
  afterAll(async () => {
    await fleet?.stop();
  });

  it("fails with UNAVAILABLE while the server is down and recovers after a restart", async () => {
    fleet = await RedisFleet.start({ count: 1 });
    const server = fleet.servers[0];
    if (server === undefined) throw new Error("no server");
    const opened = await openRedis("f:", server.port);
    const accounts = new AccountRepository(opened.store);
    const a = account({ tenant: "fault" });
    await accounts.insert(a);

    // Mid-request: another client keeps the server busy in a script, our call waits behind it,
    // and the server is SIGKILLed before it answers.
    const busy = opened.store.client.duplicate();
    busy.on("error", () => undefined);
    const spin = busy.eval("local s = tonumber(redis.call('TIME')[1]) while tonumber(redis.call('TIME')[1]) < s + 3 do end return 1", 0).catch(() => undefined);
    await sleep(100);
    const inFlight = accounts.get(a).catch((e: unknown) => e);
    await sleep(100);
    await fleet.kill(0);
    const midRequest = await inFlight;
    expect(RonyError.is(midRequest, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((midRequest as RonyError).message).toContain(`connection "cache" (${server.address})`);
    busy.disconnect();
    await spin;

    const error = await accounts.get(a).catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
    expect((error as RonyError).message).toContain(`connection "cache" (${server.address})`);
    const writeError = await accounts.insert(account({ tenant: "fault" })).catch((e: unknown) => e);
    expect(RonyError.is(writeError, ErrorCode.UNAVAILABLE)).toBe(true);

    await fleet.restart(0);
    // The restarted server is empty (no persistence); the same client reconnects by itself.
    expect(await eventually(() => accounts.get(a))).toBeNull();
    await accounts.insert(a);
    expect(await accounts.get(a)).toEqual(a);
    await opened.store.close();
  });
});

describe("mysql connection faults", () => {
  it("fails with UNAVAILABLE when its connection is killed mid-request, and the pool recovers", async () => {
    const opened = await openMysql(undefined, 2);
    const table = `${opened.store.tablePrefix}account`;
    const settings = await requireMariaDb();
    const admin = await createConnection(settings);
    try {
      const accounts = new AccountRepository(opened.store);
      const a = await accounts.insert(account({ tenant: "kill" }));
      // Hold the row lock so the repository's UPDATE waits inside the server…
      await admin.query("START TRANSACTION");
      await admin.query(`SELECT id FROM \`${table}\` WHERE tenant = ? FOR UPDATE`, [a.tenant]);
      const pending = accounts.update({ ...a, displayName: "blocked" }).catch((e: unknown) => e);
      // …then kill the server thread that runs it.
      const thread = await eventually(async () => {
        const [rows] = await admin.query("SELECT ID AS id FROM information_schema.PROCESSLIST WHERE INFO LIKE ?", [`UPDATE \`${table}\`%`]);
        const id = (rows as { id: number }[])[0]?.id;
        if (id === undefined) throw new Error("the UPDATE is not running yet");
        return id;
      });
      await admin.query(`KILL ${Number(thread)}`);
      const error = await pending;
      expect(RonyError.is(error, ErrorCode.UNAVAILABLE)).toBe(true);
      expect((error as RonyError).message).toContain(`connection "db" (mysql://root@127.0.0.1:3306/test)`);
      await admin.query("ROLLBACK");

      // The pool drops the dead connection and serves the next calls on fresh ones.
      for (let i = 0; i < 4; i++) expect((await accounts.get(a))?.displayName).toBe(a.displayName);
      await accounts.update({ ...a, displayName: "after" });
      expect((await accounts.get(a))?.displayName).toBe("after");
    } finally {
      await admin.end();
      await opened.cleanup();
    }
  });
});
