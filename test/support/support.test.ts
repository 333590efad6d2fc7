import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, command, unusedPort } from "./redis-server.js";
import { ServiceUnavailableError, requireMachineRedis, requireMariaDb } from "./services.js";

describe("RedisFleet", () => {
  let fleet: RedisFleet;
  beforeAll(async () => {
    fleet = await RedisFleet.start({ count: 2 });
  });
  afterAll(() => fleet.stop());

  it("starts servers on distinct free ports that answer PING", async () => {
    const [a, b] = fleet.servers;
    expect(a!.port).not.toBe(b!.port);
    expect(await command(a!, "PING")).toBe("+PONG\r\n");
    expect(await command(b!, "PING")).toBe("+PONG\r\n");
  });

  it("kills with SIGKILL and restarts with the data saved before the kill", async () => {
    const s = fleet.servers[1]!;
    await command(s, "SET k v1");
    await command(s, "SAVE");
    await command(s, "SET k v2"); // not saved: lost with the kill
    await fleet.kill(1);
    expect(fleet.isRunning(1)).toBe(false);
    expect(await command(s, "PING", 300)).toBe("");
    await fleet.restart(1);
    expect(await command(s, "GET k")).toBe("$2\r\nv1\r\n");
  });

  it("pauses a server so it stops answering, and resumes it", async () => {
    const s = fleet.servers[0]!;
    fleet.pause(0);
    expect(await command(s, "PING", 200)).toBe("");
    fleet.resume(0);
    expect(await command(s, "PING")).toBe("+PONG\r\n");
  });
});

describe("services", () => {
  it("requireMachineRedis names Redis and its start command when nothing answers", async () => {
    const port = await unusedPort();
    const error = await requireMachineRedis({ port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).code).toBe("SERVICE_UNAVAILABLE");
    expect((error as Error).message).toContain(`Redis is not reachable at 127.0.0.1:${port}`);
    expect((error as Error).message).toContain("redis-server --daemonize yes");
  });

  it("requireMachineRedis resolves with the settings of a Redis that answers", async () => {
    const fleet = await RedisFleet.start({ count: 1 });
    try {
      const port = fleet.servers[0]!.port;
      expect(await requireMachineRedis({ port })).toEqual({ host: "127.0.0.1", port });
    } finally {
      await fleet.stop();
    }
  });

  it("requireMachineRedis and requireMariaDb resolve against the machine's services", async () => {
    expect(await requireMachineRedis()).toEqual({ host: "127.0.0.1", port: 6379 });
    expect(await requireMariaDb()).toEqual({ host: "127.0.0.1", port: 3306, user: "root", password: "", database: "test" });
  });

  it("requireMariaDb names MariaDB and its start command when nothing answers", async () => {
    const port = await unusedPort();
    const error = await requireMariaDb({ port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as Error).message).toContain(`MariaDB is not reachable at 127.0.0.1:${port}`);
    expect((error as Error).message).toContain("start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd");
  });
});
