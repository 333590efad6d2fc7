import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet } from "../../../test/support/redis-server.js";
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
});
