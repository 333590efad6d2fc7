/**
 * The CRDTs on 3 real replicas under real faults: SIGKILL mid-workload, a replica that was
 * down during a delete or a decrement and comes back with its old data (SAVE before the kill,
 * so the restart loads it), and idempotent retries.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet, sleep } from "../../../test/support/redis-server.js";
import { QuorumError } from "../errors.js";
import { RedisHa } from "../ha/redis-ha.js";
import { LwwMap } from "./lww-map.js";
import { OrSet } from "./or-set.js";
import { PnCounter } from "./pn-counter.js";

const TIMEOUT_MS = 500;

let fleet: RedisFleet;
let ha: RedisHa;

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 3 });
  ha = await RedisHa.connect({
    name: "crdt-ha",
    replicas: fleet.servers.map(({ host, port }) => ({ host, port })),
    timeoutMs: TIMEOUT_MS,
    backoff: { initialMs: 50, maxMs: 300 },
  });
});
afterAll(async () => {
  await ha?.quit();
  await fleet?.stop();
});

/** Restarts replica `i` and waits until the pool uses it again. */
async function bringBack(i: number): Promise<void> {
  if (!fleet.isRunning(i)) await fleet.restart(i);
  for (let tries = 0; !ha.status()[i]!.up; tries++) {
    if (tries > 200) throw new Error(`replica ${fleet.servers[i]!.address} did not come back`);
    await sleep(25);
    await ha.read((c) => c.ping()).then((r) => r.settled);
  }
}

/** Kills replica `i` after an explicit SAVE, so its restart brings back the data it had. */
async function killKeepingData(i: number): Promise<void> {
  await ha.client(i).save();
  await fleet.kill(i);
}

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))]!;
}

describe("CRDTs on redis_ha under faults", () => {
  it("SIGKILL mid-workload: no call blocks, no acknowledged write is lost, the restarted replica converges by read repair", async () => {
    const counters = [0, 1, 2].map(() => new PnCounter(ha, "w:counter"));
    const map = new LwwMap(ha, "w:map");
    const set = new OrSet(ha, "w:set");
    const latencies: number[] = [];
    const ackedMap = new Map<string, string>();
    const ackedSet: string[] = [];
    let truth = 0;
    let failures = 0;
    const timed = async (op: () => Promise<void>, onAck: () => void) => {
      const started = performance.now();
      try {
        await op();
        onAck();
      } catch (error) {
        if (!(error instanceof QuorumError)) throw error;
        failures++;
      } finally {
        latencies.push(performance.now() - started);
      }
    };
    const faults: Promise<void>[] = [];
    const worker = async (w: number) => {
      for (let s = 0; s < 120; s++) {
        // Worker 0 SIGKILLs replica 1 a third of the way in and restarts it (empty: nothing
        // was saved) two thirds in, while the other workers keep going.
        if (w === 0 && s === 40) faults.push(fleet.kill(1));
        if (w === 0 && s === 80) faults.push(fleet.restart(1).then(() => bringBack(1)));
        const by = 1 + ((w + s) % 3);
        const counter = counters[w]!;
        // The amount is in the counter's totals from here on, acknowledged or not.
        if (s % 4 === 3) truth -= by;
        else truth += by;
        await timed(() => (s % 4 === 3 ? counter.decrement(by) : counter.increment(by)), () => undefined);
        const field = `f${(w * 7 + s) % 10}`;
        const value = `w${w}s${s}`;
        await timed(() => map.set(field, value), () => ackedMap.set(field, value));
        if (s % 5 === 0) await timed(() => set.add(`e${w}-${s}`), () => ackedSet.push(`e${w}-${s}`));
      }
    };

    await Promise.all([0, 1, 2].map(worker));
    await Promise.all(faults);
    expect(ha.status()[1]!.lastError).not.toBe(""); // the pool did see replica 1 fail
    for (const counter of counters) await counter.flush();

    console.log(
      `HA workload with SIGKILL + restart of a replica: ${latencies.length} calls, ` +
        `p99 ${p99(latencies).toFixed(1)} ms, max ${Math.max(...latencies).toFixed(1)} ms (timeout ${TIMEOUT_MS} ms)`,
    );
    expect(failures).toBe(0); // two of three replicas were up all along
    expect(p99(latencies)).toBeLessThan(TIMEOUT_MS);
    expect(await counters[0]!.value()).toBe(truth);
    const entries = await map.entries();
    for (const [field, value] of ackedMap) expect(entries[field]).toBe(value);
    expect(await set.members()).toEqual(expect.arrayContaining(ackedSet));

    // Reads repair the restarted replica; then every replica holds the same state.
    await counters[0]!.value({ quorum: 3 });
    await map.entries({ quorum: 3 });
    await set.members({ quorum: 3 });
    await Promise.all([counters[0]!.repairs.idle(), map.repairs.idle(), set.repairs.idle()]);
    const raw = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const c = ha.client(i);
        return [await c.hgetall("w:counter"), await c.hgetall("w:map"), (await c.smembers("w:set:adds")).sort()];
      }),
    );
    expect(raw[1]).toEqual(raw[0]);
    expect(raw[2]).toEqual(raw[0]);
    expect(counters[0]!.repairs.repairsSent + map.repairs.repairsSent + set.repairs.repairsSent).toBeGreaterThan(0);
  });

  it("delete during an outage: the returning replica does not resurrect the element", async () => {
    const set = new OrSet(ha, "out:set");
    await set.add("x");
    await set.add("y");
    await ha.read((c) => c.ping()).then((r) => r.settled);
    expect(await set.members({ quorum: 3 })).toEqual(["x", "y"]);

    await killKeepingData(2);
    await set.remove("x");
    await bringBack(2); // loads its dump: it still has x and no tombstone
    expect(await ha.client(2).smembers("out:set:removed")).toEqual([]);

    expect(await set.members()).toEqual(["y"]);
    expect(await set.members({ quorum: 3 })).toEqual(["y"]);
    await set.repairs.idle();
    // The stale replica learnt the tombstone, so even a read that leans on it cannot bring x back.
    expect((await ha.client(2).smembers("out:set:removed")).length).toBe(1);
    await fleet.kill(0);
    try {
      expect(await set.members()).toEqual(["y"]);
    } finally {
      await bringBack(0);
    }
  });

  it("add concurrent with a remove wins (add-wins)", async () => {
    const set = new OrSet(ha, "aw:set");
    await set.add("x");
    const observed = await set.state();
    await set.add("x"); // a second add the remove below did not observe
    // Remove exactly what was observed before the second add, as a concurrent remover would.
    const tags = [...observed.adds];
    await ha.write((c) => c.eval("for i=1,#ARGV do redis.call('SADD', KEYS[2], ARGV[i]); redis.call('SREM', KEYS[1], ARGV[i]) end", 2, "aw:set:adds", "aw:set:removed", ...tags)).then((r) => r.settled);
    expect(await set.members()).toEqual(["x"]);
    await set.remove("x");
    expect(await set.members()).toEqual([]);
  });

  it("decrement during an outage holds when the replica returns with its old totals", async () => {
    const counter = new PnCounter(ha, "out:counter");
    await counter.increment(10);
    await ha.read((c) => c.ping()).then((r) => r.settled);
    expect(await counter.value({ quorum: 3 })).toBe(10);

    await killKeepingData(2);
    await counter.decrement(3);
    await bringBack(2);
    expect(await ha.client(2).hget("out:counter", `n:${counter.actor}`)).toBeNull();

    expect(await counter.value({ quorum: 3 })).toBe(7);
    await counter.repairs.idle();
    expect(await ha.client(2).hget("out:counter", `n:${counter.actor}`)).toBe("3");
    await fleet.kill(0);
    try {
      expect(await counter.value()).toBe(7); // replicas 1 and 2 only
    } finally {
      await bringBack(0);
    }
  });

  it("LWW delete during an outage is not undone by the returning replica", async () => {
    const map = new LwwMap(ha, "out:map");
    await map.set("f", "old");
    await ha.read((c) => c.ping()).then((r) => r.settled);
    await map.entries({ quorum: 3 });
    await map.repairs.idle();
    await killKeepingData(1);
    await map.delete("f");
    await bringBack(1);
    expect(await map.get("f", { quorum: 3 })).toBeUndefined();
    await map.repairs.idle();
    await fleet.kill(0);
    try {
      expect(await map.entries()).toEqual({});
    } finally {
      await bringBack(0);
    }
  });

  it("a failed quorum write is retried without double counting", async () => {
    const counter = new PnCounter(ha, "retry:counter");
    await counter.increment(5);
    await fleet.kill(2);
    try {
      // Needs all three: fails, though two replicas applied it.
      const error = await counter.increment(4, { quorum: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QuorumError);
      expect(await counter.value()).toBe(9);
      await counter.flush(); // the retry, any number of times
      await counter.flush();
    } finally {
      await bringBack(2);
    }
    await counter.flush({ quorum: 3 });
    expect(await counter.value({ quorum: 3 })).toBe(9);
  });

  it("a paused (slow) replica mid-workload does not slow calls down; it catches up by read repair", async () => {
    const map = new LwwMap(ha, "slow:map");
    const latencies: number[] = [];
    let pausedAt = 0;
    let s = 0;
    try {
      // Keep writing while the replica is frozen for longer than the call timeout.
      for (; s < 40 || (pausedAt > 0 && performance.now() - pausedAt < 3 * TIMEOUT_MS); s++) {
        if (s === 20) {
          fleet.pause(2);
          pausedAt = performance.now();
        }
        const started = performance.now();
        await map.setAll({ [`f${s % 7}`]: `v${s}`, last: String(s) });
        latencies.push(performance.now() - started);
      }
    } finally {
      fleet.resume(2);
    }
    expect(p99(latencies)).toBeLessThan(TIMEOUT_MS);
    expect(ha.status()[2]!.lastError).toBe(`no answer within ${TIMEOUT_MS} ms`);
    await bringBack(2);
    expect(await map.get("last", { quorum: 3 })).toBe(String(s - 1));
    await map.repairs.idle();
    expect(await ha.client(2).hgetall("slow:map")).toEqual(await ha.client(0).hgetall("slow:map"));
  });

  it("an LWW record is written and cleared as a whole", async () => {
    const record = new LwwMap(ha, "rec:user:1");
    await record.setAll({ name: "Ada", email: "ada@x.io" });
    expect(await record.entries()).toEqual({ email: "ada@x.io", name: "Ada" });
    await record.clear();
    expect(await record.entries()).toEqual({});
  });

  it("a counter reused under the same actor continues its totals after resume()", async () => {
    const first = new PnCounter(ha, "resume:counter", { actor: "a1" });
    await first.increment(4);
    const again = new PnCounter(ha, "resume:counter", { actor: "a1" });
    await again.resume();
    await again.increment(1);
    expect(await again.value()).toBe(5);
  });
});
