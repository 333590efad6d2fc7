import { expect, it } from "vitest";
import { RedisFleet } from "../../../test/support/redis-server.js";
import { ConnectionError } from "../errors.js";
import { ClusterRedis } from "./cluster-redis.js";

it("a SIGKILLed master fails its slots with a ConnectionError naming it; other slots keep working", async () => {
  const fleet = await RedisFleet.start({ count: 3, cluster: true });
  const cluster = await ClusterRedis.connect({ name: "clu", startupNodes: [{ host: fleet.servers[0]!.host, port: fleet.servers[0]!.port }] });
  try {
    const victim = fleet.servers[2]!.address;
    const keys = Array.from({ length: 100 }, (_, i) => `x:${i}`);
    const lost = keys.find((k) => cluster.ownerOf(k) === victim)!;
    const kept = keys.find((k) => cluster.ownerOf(k) !== victim)!;
    await fleet.kill(2);
    const error = await cluster.get(lost).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).code).toBe("CONNECTION_FAILED");
    expect((error as ConnectionError).address).toBe(victim);
    expect((error as Error).message).toContain(`connection "clu" to ${victim}`);
    expect(await cluster.set(kept, "1")).toBe(true);
  } finally {
    await cluster.quit();
    await fleet.stop();
  }
});
