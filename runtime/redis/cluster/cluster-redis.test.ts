import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { RedisFleet, command } from "../../../test/support/redis-server.js";
import { clusterSlot } from "../hashing/cluster-slot.js";
import { ClusterRedis } from "./cluster-redis.js";

let fleet: RedisFleet;
let cluster: ClusterRedis;

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 3, cluster: true });
  cluster = await ClusterRedis.connect({ name: "clu", startupNodes: [{ host: fleet.servers[0]!.host, port: fleet.servers[0]!.port }] });
}, 60_000);
afterAll(async () => {
  await cluster?.quit();
  await fleet?.stop();
});

describe("ClusterRedis on a real 3-master cluster", () => {
  it("computes the same slot as CLUSTER KEYSLOT", async () => {
    for (const key of ["foo", "user:{42}:a", "{}x", "a{b}c{d}", "ключ", ...Array.from({ length: 50 }, (_, i) => `k${i * 7919}`)]) {
      expect(clusterSlot(key)).toBe(await cluster.cluster.cluster("KEYSLOT", key));
    }
  });

  it("learns all three masters from one startup node and spreads keys over them", async () => {
    const owners = new Set(Array.from({ length: 200 }, (_, i) => cluster.ownerOf(`c:${i}`)));
    expect(owners).toEqual(new Set(fleet.servers.map((s) => s.address)));
    for (let i = 0; i < 200; i++) await cluster.set(`c:${i}`, String(i));
    const counts = await Promise.all(cluster.cluster.nodes("master").map((n) => n.dbsize()));
    expect(counts.reduce((a, b) => a + b)).toBe(200);
    expect(Math.min(...counts)).toBeGreaterThan(30);
  });

  it("keeps working through a live reshard: MOVED is followed and the owner map updates", async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `r:${i}`);
    for (const key of keys) await cluster.set(key, `v-${key}`);
    const before = new Map(keys.map((k) => [k, cluster.ownerOf(k)]));
    const [from, to] = [fleet.servers[0]!, fleet.servers[1]!];
    const id = async (s: typeof from) => (await command(s, "CLUSTER MYID")).split("\r\n")[1]!;
    const reshard = spawnSync(
      "redis-cli",
      ["--cluster", "reshard", from.address, "--cluster-from", await id(from), "--cluster-to", await id(to), "--cluster-slots", "2000", "--cluster-yes"],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(reshard.status, reshard.stderr).toBe(0);

    for (const key of keys) expect(await cluster.get(key)).toBe(`v-${key}`);
    const pipe = cluster.pipeline();
    for (const key of keys) pipe.get(key);
    expect((await pipe.exec()).map(([, v]) => v)).toEqual(keys.map((k) => `v-${k}`));

    const moved = keys.filter((k) => before.get(k) !== cluster.ownerOf(k));
    expect(moved.length).toBeGreaterThan(0);
    for (const key of moved) {
      expect(cluster.ownerOf(key)).toBe(to.address);
      expect(await command(to, `GET ${key}`)).toBe(`$${`v-${key}`.length}\r\nv-${key}\r\n`);
    }
  });
});
