// Live queries on models marked subscribable (examples.notes.Note) on the memory store.
import { describe, expect, it } from "vitest";
import { MemoryStore, RaftStore, type ModelStore } from "rony-ts/runtime";
import { NoteRepository } from "../../generated/examples/notes.models.js";
import { subscriptionSuite } from "./support/subscription-suite.js";

subscriptionSuite("the memory store", async () => ({ store: new MemoryStore("main"), settle: async () => {} }));
// Unattached, a raft store is a memory store; on a replica set, test/cluster/replica-set.test.ts.
subscriptionSuite("the raft store", async () => ({ store: new RaftStore("main"), settle: async () => {} }));
describe("subscriptions where the store has no change feed", () => {
  it("fail with UNIMPLEMENTED naming the connection", () => {
    const store = { kind: "mysql", name: "db", table: new MemoryStore().table.bind(new MemoryStore()), migrate: async () => {}, close: async () => {} } as unknown as ModelStore;
    expect(() => new NoteRepository(store).subscribe({ notebook: "nb", id: 1n })).toThrow(/connection "db" \(mysql\) has no change feed/);
  });
});
