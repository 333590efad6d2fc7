// Live queries on a redis connection: changes written through one process's store reach
// subscribers of another (two stores, two clients), by pub/sub; after the listening connection
// drops, subscriptions re-read and report the value they missed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisStore } from "rony-ts/runtime";
import { NoteRepository } from "../../generated/examples/notes.models.js";
import { command, RedisFleet } from "../support/redis-server.js";
import { note, reader, subscriptionSuite } from "./support/subscription-suite.js";

let fleet: RedisFleet;
const stores: RedisStore[] = [];
let prefixes = 0;
beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 1 });
}, 30_000);
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await fleet.stop();
});

async function connect(keyPrefix: string): Promise<RedisStore> {
  const store = await RedisStore.connect({ name: "main", url: `redis://${fleet.servers[0]!.address}`, keyPrefix });
  stores.push(store);
  return store;
}

subscriptionSuite("redis, written by another process's store", async () => {
  const prefix = `sub${prefixes++}:`;
  return { store: await connect(prefix), other: await connect(prefix), settle: async () => {} };
});

describe("redis subscriptions across a dropped listening connection", () => {
  it("re-read after the reconnect and report the latest value they missed", async () => {
    const prefix = `drop${prefixes++}:`;
    const [mine, theirs] = [await connect(prefix), await connect(prefix)];
    const sub = reader(new NoteRepository(mine).subscribe({ notebook: "nb", id: 1n }));
    expect(await sub.take(1)).toEqual([{ value: null, previous: null }]);
    // Drop every pub/sub connection; write while ours is down (the PUBLISH reaches no one).
    expect(await command(fleet.servers[0]!, "CLIENT KILL TYPE pubsub")).toMatch(/^:[1-9]/);
    await new NoteRepository(theirs).insert(note(1n, "while away"));
    const [u] = await sub.take(1);
    expect(u!.previous).toBeNull();
    expect(u!.value?.title).toBe("while away");
    // Subscribed again: the next change arrives by pub/sub.
    await new NoteRepository(theirs).save(note(1n, "after"));
    const [v] = await sub.take(1);
    expect(v!.value?.title).toBe("after");
    await sub.stop();
  });
});
