// The server-side merges (the Lua in lua.ts) against the TypeScript merges reads use, on a real
// redis-server: a replica that was sent state A, then state B, must hold exactly merge(A, B), or
// a read repair and a write would disagree on what a replica holds.
import fc from "fast-check";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisFleet } from "../../../test/support/redis-server.js";
import { evalScript } from "../key-value/scripts.js";
import { encodeStamp } from "./hlc.js";
import { LATER_FIELDS, MAX_FIELDS, OR_SET_APPLY, OR_SET_READ } from "./lua.js";
import { encodeDelete, encodeSet, mergeLww, parseLww, type LwwState } from "./lww-map-state.js";
import { entryOf, mergeOrSets, type OrSetState } from "./or-set-state.js";
import { mergeTotals, parseTotals, type CounterTotals } from "./pn-counter-state.js";

const actor = fc.constantFrom("a", "b", "c", "d");
const totals: fc.Arbitrary<CounterTotals> = fc
  .array(fc.tuple(fc.constantFrom("p:", "n:"), actor, fc.oneof(fc.nat(1_000), fc.maxSafeNat())))
  .map((list) => mergeTotals(new Map(), new Map(list.filter(([, , n]) => n > 0).map(([side, a, n]) => [side + a, n]))));

const tag = fc.constantFrom("0000000000000001", "0000000000000002", "0000000000000003");
const entry = fc.tuple(tag, fc.constantFrom("x", "y", "ü", "😀", "")).map(([t, e]) => entryOf(t, e));
const orSet: fc.Arbitrary<OrSetState> = fc
  .tuple(fc.array(entry), fc.array(entry))
  .map(([adds, removed]) => mergeOrSets({ adds: new Set(adds), removed: new Set(removed) }, { adds: new Set(), removed: new Set() }));

// Few stamps, so two entries of one field often share a stamp and the values decide; values
// from every UTF-8 length, including a character above U+FFFF (two UTF-16 units, four bytes).
const stamp = fc.tuple(fc.nat(3), fc.nat(1), fc.constantFrom("0000000a", "0000000b")).map(([wall, logical, a]) => encodeStamp({ wall, logical }, a));
const value = fc.constantFrom("", "a", "ab", "é", "\uffff", "\ue000", "😀", "𝄞x");
const lwwEntry = fc.tuple(stamp, fc.option(value)).map(([s, v]) => (v === null ? encodeDelete(s) : encodeSet(s, v)));
const lww: fc.Arbitrary<LwwState> = fc
  .array(fc.tuple(fc.constantFrom("f1", "f2", "f3"), lwwEntry))
  .map((list) => list.reduce((state, [f, e]) => mergeLww(state, new Map([[f, e]])), new Map<string, string>()));

const sorted = (m: ReadonlyMap<string, unknown>) => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
const sortedSet = (s: ReadonlySet<string>) => [...s].sort();

describe("server-side CRDT merges agree with the TypeScript ones (fast-check, real redis-server)", () => {
  let fleet: RedisFleet;
  let client: Redis;
  let n = 0;

  beforeAll(async () => {
    fleet = await RedisFleet.start({ count: 1 });
    client = new Redis({ host: fleet.servers[0]!.host, port: fleet.servers[0]!.port });
  });
  afterAll(async () => {
    client?.disconnect();
    await fleet?.stop();
  });

  it("MAX_FIELDS: totals sent as A then B are merge(A, B)", async () => {
    await fc.assert(
      fc.asyncProperty(totals, totals, async (a, b) => {
        const key = `pn:${n++}`;
        for (const state of [a, b]) if (state.size > 0) await evalScript(client, MAX_FIELDS, [key], [...state].flat());
        expect(sorted(parseTotals(await client.hgetall(key)))).toEqual(sorted(mergeTotals(a, b)));
      }),
      { numRuns: 150 },
    );
  });

  it("OR_SET_APPLY: adds and tombstones sent as A then B are merge(A, B)", async () => {
    await fc.assert(
      fc.asyncProperty(orSet, orSet, async (a, b) => {
        const keys = [`or:${n}:adds`, `or:${n++}:removed`];
        for (const state of [a, b]) await evalScript(client, OR_SET_APPLY, keys, [state.adds.size, ...state.adds, ...state.removed]);
        const [adds, removed] = (await evalScript(client, OR_SET_READ, keys, [])) as [string[], string[]];
        const merged = mergeOrSets(a, b);
        expect([[...adds].sort(), [...removed].sort()]).toEqual([sortedSet(merged.adds), sortedSet(merged.removed)]);
      }),
      { numRuns: 150 },
    );
  });

  it("LATER_FIELDS: entries sent as A then B are merge(A, B), equal stamps included", async () => {
    await fc.assert(
      fc.asyncProperty(lww, lww, async (a, b) => {
        const key = `lww:${n++}`;
        for (const state of [a, b]) if (state.size > 0) await evalScript(client, LATER_FIELDS, [key], [...state].flat());
        expect(sorted(parseLww(await client.hgetall(key)))).toEqual(sorted(mergeLww(a, b)));
      }),
      { numRuns: 300 },
    );
  });
});
