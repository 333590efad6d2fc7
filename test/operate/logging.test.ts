// Structured logs on pino, captured as JSON lines: one line per failed call with code and
// method, connection open/close at debug, Raft role changes, redis_ha replicas going down and up.
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { registerEcho } from "../../generated/examples/echo.rony.js";
import { EchoClient } from "../../generated/examples/echo.rony.js";
import { WebSocketTransport } from "../../runtime/client/index.js";
import { EdgeServer } from "../../runtime/index.js";
import { logConnections, logErrors, logRaft, logRedisHa } from "../../runtime/operate/index.js";
import { leaderOf, sleep, startCluster } from "../../runtime/raft/node/test-cluster.js";
import { RedisHa } from "../../runtime/redis/index.js";
import { ErrorCode, RonyError } from "../../runtime/rpc/index.js";
import { RedisFleet } from "../support/redis-server.js";

type Line = Record<string, unknown> & { level: number; msg: string };
const levels = { debug: 20, info: 30, warn: 40, error: 50 };

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** A debug-level pino logger writing JSON lines into an array. */
function capture(): { lines: Line[]; logger: pino.Logger } {
  const lines: Line[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s) as Line) });
  return { lines, logger };
}

async function until(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !f(); i++) await sleep(10);
  if (!f()) throw new Error(`timed out waiting for ${what}`);
}

describe("structured logs", () => {
  it("one line per failed call with its code and method; a handler's exception with its stack; connections at debug", async () => {
    const { lines, logger } = capture();
    const server = new EdgeServer({ host: "127.0.0.1", hooks: logConnections(logger) });
    registerEcho(server, {
      async say(input) {
        if (input.text === "refuse") throw new RonyError(ErrorCode.PERMISSION_DENIED, "not you", "text");
        if (input.text === "crash") throw new TypeError("boom");
        return { ...input, serverTime: 0n };
      },
      async ping() {
        return { nodeId: "n1" };
      },
    });
    logErrors(server, logger);
    const port = await server.listen(0);
    cleanup.push(() => server.shutdown());
    const transport = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`, { reconnect: false });
    const echo = new EchoClient(transport);

    await echo.say({ intValue: 1n, boolValue: false, text: "fine" });
    expect(await echo.say({ intValue: 1n, boolValue: false, text: "refuse" }).catch((e: unknown) => e)).toBeInstanceOf(RonyError);
    expect(await echo.say({ intValue: 1n, boolValue: false, text: "crash" }).catch((e: unknown) => e)).toBeInstanceOf(RonyError);
    transport.close();
    await until("the close line", () => lines.some((l) => l.msg === "connection closed"));

    const calls = lines.filter((l) => l["method"] !== undefined);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ level: levels.warn, code: "PERMISSION_DENIED", method: "examples.echo.Echo.Say", via: "ws", items: "text", msg: "not you" });
    expect(calls[1]).toMatchObject({ level: levels.error, code: "INTERNAL", method: "examples.echo.Echo.Say", via: "ws", msg: "examples.echo.Echo.Say failed" });
    expect((calls[1]!["err"] as { type: string; message: string; stack: string }).message).toBe("boom");
    expect((calls[1]!["err"] as { stack: string }).stack).toMatch(/TypeError: boom\n\s+at /);

    const open = lines.find((l) => l.msg === "connection open")!;
    const closed = lines.find((l) => l.msg === "connection closed")!;
    expect(open).toMatchObject({ level: levels.debug, connection: 1 });
    expect(closed).toMatchObject({ level: levels.debug, connection: 1 });
  });

  it("logs Raft role changes", async () => {
    const { lines, logger } = capture();
    const cluster = await startCluster(3);
    cleanup.push(() => cluster.stopAll());
    for (const k of cluster.nodes.values()) logRaft(k.raft, logger);
    const leader = await leaderOf(cluster.nodes);
    const target = [...cluster.nodes.values()].find((k) => k !== leader)!;
    leader.raft.transferLeadership(target.raft.id);
    await until("the new leader's line", () => lines.some((l) => l["raftNode"] === target.raft.id && l["role"] === "leader"));
    const line = lines.find((l) => l["raftNode"] === target.raft.id && l["role"] === "leader")!;
    expect(line).toMatchObject({ level: levels.info, leader: target.raft.id, msg: `raft: leader in term ${String(line["term"])}` });
    await until("the old leader stepping down", () => lines.some((l) => l["raftNode"] === leader.raft.id && l["role"] === "follower" && l["leader"] === target.raft.id));
  });

  it("logs a redis_ha replica going down and coming back up", async () => {
    const { lines, logger } = capture();
    const fleet = await RedisFleet.start({ count: 3 });
    cleanup.push(() => fleet.stop());
    const ha = await RedisHa.connect({ name: "cache", replicas: fleet.servers.map((s) => ({ host: s.host, port: s.port })) });
    cleanup.push(() => ha.quit());
    logRedisHa(ha, logger);
    const address = ha.status()[1]!.address;
    await fleet.kill(1);
    await until("the down line", () => lines.some((l) => l.msg === "redis replica down"));
    expect(lines.filter((l) => l.msg === "redis replica down")).toEqual([expect.objectContaining({ level: levels.warn, connection: "cache", replica: address })]);
    await fleet.restart(1);
    await until("the up line", () => {
      void ha.write((c) => c.set("k", "v")).catch(() => undefined);
      return lines.some((l) => l.msg === "redis replica up");
    });
    expect(lines.filter((l) => l.msg === "redis replica up")).toEqual([expect.objectContaining({ level: levels.info, connection: "cache", replica: address })]);
  });
});
