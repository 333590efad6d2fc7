import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, sleep } from "../../../test/support/redis-server.js";
import { ConfigError, ConnectionError, QuorumError } from "../errors.js";
import { RedisHa } from "./redis-ha.js";

const TIMEOUT_MS = 500;

describe("RedisHa pool on 3 real replicas", () => {
  let fleet: RedisFleet;
  let ha: RedisHa;

  beforeAll(async () => {
    fleet = await RedisFleet.start({ count: 3 });
    ha = await RedisHa.connect({
      name: "ha-pool",
      replicas: fleet.servers.map(({ host, port }) => ({ host, port })),
      timeoutMs: TIMEOUT_MS,
      backoff: { initialMs: 50, maxMs: 300 },
    });
  });
  afterAll(async () => {
    await ha?.quit();
    await fleet?.stop();
  });

  it("defaults both quorums to a majority and runs a write on every replica", async () => {
    expect([ha.writeQuorum, ha.readQuorum]).toEqual([2, 2]);
    const { acks, settled } = await ha.write((c) => c.set("pool:k", "v"));
    expect(acks.length).toBe(2);
    await settled;
    const values = await Promise.all([0, 1, 2].map((i) => ha.client(i).get("pool:k")));
    expect(values).toEqual(["v", "v", "v"]);
  });

  it("does not wait for a paused (slow) replica, marks it down, and takes it back after it answers again", async () => {
    fleet.pause(2);
    try {
      const started = performance.now();
      const { acks } = await ha.read((c) => c.get("pool:k"));
      const elapsed = performance.now() - started;
      expect(acks.map((a) => a.value)).toEqual(["v", "v"]);
      expect(elapsed).toBeLessThan(TIMEOUT_MS);
      // The paused replica misses the timer of some call and goes into back-off.
      await ha.write((c) => c.set("pool:slow", "1"), { quorum: 2 }).then((r) => r.settled);
      expect(ha.status()[2]!.up).toBe(false);
      expect(ha.status()[2]!.lastError).toContain(`no answer within ${TIMEOUT_MS} ms`);
    } finally {
      fleet.resume(2);
    }
    for (let i = 0; i < 100 && !ha.status()[2]!.up; i++) {
      await sleep(50);
      await ha.read((c) => c.ping()).then((r) => r.settled);
    }
    expect(ha.status()[2]!.up).toBe(true);
  });

  it("fails fast with QuorumError naming the replicas when too few are alive", async () => {
    await fleet.kill(0);
    await fleet.kill(1);
    try {
      const error = await ha.write((c) => c.set("pool:q", "1")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuorumError);
      const quorum = error as QuorumError;
      expect(quorum.code).toBe("QUORUM_NOT_REACHED");
      expect(quorum.needed).toBe(2);
      expect(quorum.acknowledged).toBeLessThanOrEqual(1);
      const named = quorum.failures.map((f) => f.address).sort();
      expect(named).toEqual([fleet.servers[0]!.address, fleet.servers[1]!.address].sort());
    } finally {
      await fleet.restart(0);
      await fleet.restart(1);
    }
  });

  it("starts with a replica down and takes it in once it comes up", async () => {
    await fleet.kill(2);
    const late = await RedisHa.connect({
      name: "ha-late",
      replicas: fleet.servers.map(({ host, port }) => ({ host, port })),
      timeoutMs: TIMEOUT_MS,
      backoff: { initialMs: 20, maxMs: 100 },
    });
    try {
      expect(late.status()[2]!.up).toBe(false);
      await late.write((c) => c.set("late:k", "1"));
      await fleet.restart(2);
      for (let i = 0; i < 200 && !late.status()[2]!.up; i++) {
        await sleep(25);
        await late.write((c) => c.set("late:k", "2")).then((r) => r.settled);
      }
      expect(late.status()[2]!.up).toBe(true);
      expect(await late.client(2).get("late:k")).toBe("2");
    } finally {
      await late.quit();
    }
  });

  it("a Redis reply error fails the call but does not mark replicas down", async () => {
    for (let i = 0; i < 200 && !ha.status().every((r) => r.up); i++) {
      await sleep(25);
      await ha.read((c) => c.ping()).then((r) => r.settled);
    }
    await ha.write((c) => c.set("pool:str", "x")).then((r) => r.settled);
    const error = await ha.write((c) => c.sadd("pool:str", "m")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuorumError);
    const codes = (error as QuorumError).failures.map((f) => f.code);
    expect(codes.length).toBeGreaterThanOrEqual(2);
    expect(new Set(codes)).toEqual(new Set(["REPLY_ERROR"]));
    const thrown = await ha.write(() => {
      throw new Error("bad op");
    }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(QuorumError);
    expect(new Set((thrown as QuorumError).failures.map((f) => f.code))).toEqual(new Set(["OP_FAILED"]));
    expect(ha.status().every((r) => r.up)).toBe(true);
  });

  it("rejects bad quorums and names the connection", async () => {
    const replicas = fleet.servers.map(({ host, port }) => ({ host, port }));
    await expect(RedisHa.connect({ name: "bad", replicas, writeQuorum: 4 })).rejects.toThrow(ConfigError);
    await expect(RedisHa.connect({ name: "bad", replicas, readQuorum: 0 })).rejects.toThrow(/connection "bad": readQuorum must be an integer from 1 to 3/);
  });

  it("refuses to start with fewer reachable replicas than the quorum, naming the dead addresses", async () => {
    const live = fleet.servers[0]!;
    const dead = [{ host: "127.0.0.1", port: 1 }, { host: "127.0.0.1", port: 2 }];
    const error = await RedisHa.connect({ name: "ha-dead", replicas: [{ host: live.host, port: live.port }, ...dead] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("CONNECTION_FAILED");
    expect((error as Error).message).toContain('connection "ha-dead" to 127.0.0.1:1, 127.0.0.1:2');
  });
});
