import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet } from "../../../test/support/redis-server.js";
import { CrossShardError } from "../errors.js";
import { SingleRedis } from "./single-redis.js";

let fleet: RedisFleet;
beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 1 });
});
afterAll(() => fleet.stop());

describe("SingleRedis", () => {
  it("holds multi-key commands to the portable rule by default, and drops it with portableKeys: false", async () => {
    const address = { host: fleet.servers[0]!.host, port: fleet.servers[0]!.port };
    const portable = await SingleRedis.connect({ name: "portable", address });
    const plain = await SingleRedis.connect({ name: "plain", address, portableKeys: false });
    try {
      await portable.set("a", "1");
      await portable.set("b", "2");
      await expect(portable.del("a", "b")).rejects.toBeInstanceOf(CrossShardError);
      expect(await plain.del("a", "b")).toBe(2);
      expect(plain.ownerOf("anything")).toBe(fleet.servers[0]!.address);
      expect(await plain.client.ping()).toBe("PONG"); // the raw ioredis client stays reachable
    } finally {
      await Promise.all([portable.quit(), plain.quit()]);
    }
  });
});
