// Tombstone collection on 3 real replicas: a tombstone goes only after a pass saw it on every
// replica and `settleMs` passed; a replica that is down, or that holds the deleted entry, stops
// it; a deleted element or field stays deleted through collection, and a later write survives it.
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, sleep } from "../../../test/support/redis-server.js";
import { QuorumError } from "../errors.js";
import { RedisHa } from "../ha/redis-ha.js";
import { LwwMap } from "./lww-map.js";
import { OrSet } from "./or-set.js";

const SETTLE_MS = 150;

let fleet: RedisFleet;
let ha: RedisHa;

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 3 });
  ha = await RedisHa.connect({
    name: "collect-ha",
    replicas: fleet.servers.map(({ host, port }) => ({ host, port })),
    timeoutMs: 500,
    backoff: { initialMs: 50, maxMs: 300 },
  });
});
afterAll(async () => {
  await ha?.quit();
  await fleet?.stop();
});

/** What each replica holds under `key`, read from the replicas themselves. */
function onEveryReplica<T>(read: (client: Redis) => Promise<T>): Promise<T[]> {
  return Promise.all([0, 1, 2].map((i) => read(ha.client(i))));
}

async function bringBack(i: number): Promise<void> {
  await fleet.restart(i);
  for (let tries = 0; !ha.status()[i]!.up; tries++) {
    if (tries > 200) throw new Error(`replica ${fleet.servers[i]!.address} did not come back`);
    await sleep(25);
    await ha.read((c) => c.ping()).then((r) => r.settled);
  }
}

describe("OrSet.collect", () => {
  it("drops a tombstone from every replica once it has been on all of them for settleMs, and the element stays removed", async () => {
    const set = new OrSet(ha, "gc:set");
    await set.add("x");
    await set.add("y");
    await set.remove("x");
    expect(await onEveryReplica((c) => c.scard("gc:set:removed"))).toEqual([1, 1, 1]);
    expect(await set.collect({ settleMs: SETTLE_MS })).toEqual({ marked: 1, collected: 0 });
    expect(await set.collect({ settleMs: SETTLE_MS })).toEqual({ marked: 0, collected: 0 });
    await sleep(SETTLE_MS);
    expect(await set.collect({ settleMs: SETTLE_MS })).toEqual({ marked: 0, collected: 1 });
    expect(await onEveryReplica((c) => c.scard("gc:set:removed"))).toEqual([0, 0, 0]);
    expect(await onEveryReplica((c) => c.exists("gc:set:settled"))).toEqual([0, 0, 0]);
    expect(await set.members()).toEqual(["y"]);
    await set.add("x");
    expect(await set.members()).toEqual(["x", "y"]);
  });

  it("collects nothing while a replica is down", async () => {
    const set = new OrSet(ha, "gc:down");
    await set.add("x");
    await set.remove("x");
    await fleet.kill(2);
    try {
      await expect(set.collect({ settleMs: 0 })).rejects.toBeInstanceOf(QuorumError);
    } finally {
      await bringBack(2);
    }
  });

  it("keeps a tombstone while a replica holds the entry it deletes (back from an outage with old data)", async () => {
    const set = new OrSet(ha, "gc:stale");
    await set.add("x");
    await ha.client(2).save();
    await fleet.kill(2);
    await set.remove("x");
    await bringBack(2); // with "x" added and no tombstone
    expect(await set.collect({ settleMs: 0 })).toEqual({ marked: 0, collected: 0 });
    // A read of all three merges and repairs replica 2: it learns the tombstone, drops the add.
    expect(await set.members({ quorum: 3 })).toEqual([]);
    await set.repairs.idle();
    expect(await set.collect({ settleMs: 0 })).toEqual({ marked: 1, collected: 0 });
    expect(await set.collect({ settleMs: 0 })).toEqual({ marked: 0, collected: 1 });
    expect(await onEveryReplica((c) => c.smembers("gc:stale:adds"))).toEqual([[], [], []]);
    expect(await set.members({ quorum: 3 })).toEqual([]);
  });
});

describe("LwwMap.collect", () => {
  it("drops a deleted field from every replica once settled; the live fields stay", async () => {
    const map = new LwwMap(ha, "gc:map");
    await map.setAll({ a: "1", b: "2" });
    await map.delete("a");
    expect(await map.collect({ settleMs: SETTLE_MS })).toEqual({ marked: 1, collected: 0 });
    await sleep(SETTLE_MS);
    expect(await map.collect({ settleMs: SETTLE_MS })).toEqual({ marked: 0, collected: 1 });
    expect(await onEveryReplica((c) => c.hkeys("gc:map"))).toEqual([["b"], ["b"], ["b"]]);
    expect(await map.entries({ quorum: 3 })).toEqual({ b: "2" });
  });

  it("keeps a field set again after its tombstone was marked, and forgets the mark", async () => {
    const map = new LwwMap(ha, "gc:again");
    await map.set("a", "1");
    await map.delete("a");
    expect(await map.collect({ settleMs: 0 })).toEqual({ marked: 1, collected: 0 });
    await map.set("a", "2");
    expect(await map.collect({ settleMs: 0 })).toEqual({ marked: 0, collected: 0 });
    expect(await map.entries({ quorum: 3 })).toEqual({ a: "2" });
    expect(await onEveryReplica((c) => c.exists("gc:again:settled"))).toEqual([0, 0, 0]);
  });
});
