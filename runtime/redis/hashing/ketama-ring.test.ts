import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { KetamaRing } from "./ketama-ring.js";
import { hashTagOf } from "./hash-tag.js";
import { clusterSlot } from "./cluster-slot.js";

interface HashRingLike {
  get(key: string): string;
}
type HashRingConstructor = new (servers: Record<string, number> | string[]) => HashRingLike;
const HashRing = createRequire(import.meta.url)("hashring") as HashRingConstructor;

const servers = ["10.0.0.1:6379", "10.0.0.2:6379", "10.0.0.3:6379"];
const keys = Array.from({ length: 20_000 }, (_, i) => `user:${i}:profile`);

describe("KetamaRing", () => {
  it("maps every key to the same server as the npm hashring (libketama continuum)", () => {
    const ours = new KetamaRing(servers.map((id) => ({ id })));
    const theirs = new HashRing(servers);
    for (const key of keys) expect(ours.nodeOf(key).id).toBe(theirs.get(key));
  });

  it("agrees with hashring under unequal weights", () => {
    const weights = { [servers[0]!]: 1, [servers[1]!]: 2, [servers[2]!]: 5 };
    const ours = new KetamaRing(servers.map((id) => ({ id, weight: weights[id] })));
    const theirs = new HashRing(weights);
    for (const key of keys) expect(ours.nodeOf(key).id).toBe(theirs.get(key));
  });

  it("spreads keys in proportion to weight", () => {
    const ring = new KetamaRing([{ id: "a:1", weight: 1 }, { id: "b:1", weight: 3 }]);
    const onB = keys.filter((k) => ring.nodeOf(k).id === "b:1").length / keys.length;
    expect(onB).toBeGreaterThan(0.68);
    expect(onB).toBeLessThan(0.82);
  });

  it("moves about 1/(n+1) of the keys when a fourth node joins, only onto the new node", () => {
    const three = new KetamaRing(servers.map((id) => ({ id })));
    const four = new KetamaRing([...servers, "10.0.0.4:6379"].map((id) => ({ id })));
    const counts = (ring: KetamaRing) => {
      const c = new Map<string, number>();
      for (const k of keys) {
        const id = ring.nodeOf(k).id;
        c.set(id, (c.get(id) ?? 0) + 1);
      }
      return c;
    };
    let moved = 0;
    for (const key of keys) {
      const before = three.nodeOf(key).id;
      const after = four.nodeOf(key).id;
      if (before !== after) {
        moved++;
        expect(after).toBe("10.0.0.4:6379");
      }
    }
    const fraction = moved / keys.length;
    const share = (c: Map<string, number>) =>
      [...c].map(([id, n]) => `${id} ${((100 * n) / keys.length).toFixed(1)}%`).join(", ");
    console.log(`key distribution, 3 nodes: ${share(counts(three))}`);
    console.log(`key distribution, 4 nodes: ${share(counts(four))}`);
    console.log(`moved going 3 → 4 nodes: ${moved}/${keys.length} = ${(100 * fraction).toFixed(1)}% (ideal 25.0%)`);
    expect(fraction).toBeGreaterThan(0.18);
    expect(fraction).toBeLessThan(0.32);
  });

  it("rejects an empty ring, duplicate ids and non-positive weights", () => {
    expect(() => new KetamaRing([])).toThrow(RangeError);
    expect(() => new KetamaRing([{ id: "a" }, { id: "a" }])).toThrow(RangeError);
    expect(() => new KetamaRing([{ id: "a", weight: 0 }])).toThrow(RangeError);
  });
});

describe("hash tags", () => {
  it("uses the text of the first non-empty {…}, as Redis Cluster does", () => {
    expect(hashTagOf("user:{42}:profile")).toBe("42");
    expect(hashTagOf("{a}{b}")).toBe("a");
    expect(hashTagOf("x{}y")).toBe("x{}y");
    expect(hashTagOf("x{y")).toBe("x{y");
    expect(hashTagOf("plain")).toBe("plain");
  });

  it("co-locates keys that share a tag on the ring", () => {
    const ring = new KetamaRing(servers.map((id) => ({ id })));
    for (let i = 0; i < 500; i++) expect(ring.nodeOf(`order:{c${i}}:a`)).toBe(ring.nodeOf(`idx:{c${i}}:by-date`));
  });

  it("computes Redis Cluster slots (values from CLUSTER KEYSLOT)", () => {
    expect(clusterSlot("foo")).toBe(12182);
    expect(clusterSlot("bar")).toBe(5061);
    expect(clusterSlot("user:{42}:a")).toBe(clusterSlot("42"));
    expect(clusterSlot("123456789")).toBe(0x31c3 % 16384);
  });
});
