import { describe, expect, it } from "vitest";
import * as redis from "./index.js";

describe("runtime/redis public API", () => {
  it("exports the factory, the connection classes, the CRDTs and the error classes", () => {
    for (const name of [
      "createRedisConnection", "SingleRedis", "ShardedRedis", "ClusterRedis", "RedisHa", "PnCounter", "OrSet", "LwwMap",
      "KetamaRing", "hashTagOf", "clusterSlot", "CrossShardError", "QuorumError", "ConnectionError", "RedisRuntimeError",
    ] as const) {
      expect(typeof redis[name]).toBe("function");
    }
    expect(new redis.CrossShardError(["a", "b"], ["n1", "n2"]).code).toBe("CROSS_SHARD");
  });
});
