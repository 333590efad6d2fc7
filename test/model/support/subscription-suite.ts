// The subscription checks every store with a change feed must pass (memory, Redis): by key, by
// partition and by index, the current value(s), then each change with the value before, only on change.
import { describe, expect, it } from "vitest";
import type { ModelStore, Update } from "rony-ts/runtime";
import type { Note } from "../../../generated/examples/notes.js";
import { NoteRepository } from "../../../generated/examples/notes.models.js";

export const note = (id: bigint, title: string, notebook = "nb", slug = `s${id}`): Note => ({ notebook, id, slug, title, body: "", tags: [] });

/** Reads updates from a subscription as they come; `take(n)` waits for the next n. */
export function reader<T>(it: AsyncIterable<Update<T>>) {
  const iterator = it[Symbol.asyncIterator]();
  return {
    async take(n: number): Promise<Update<T>[]> {
      const out: Update<T>[] = [];
      while (out.length < n) {
        const r = await iterator.next();
        if (r.done === true) throw new Error("subscription ended");
        out.push(r.value);
      }
      return out;
    },
    stop: () => iterator.return?.(),
  };
}

const titles = (us: Update<Note>[]) => us.map((u) => `${u.previous?.title ?? "-"}>${u.value?.title ?? "-"}`);

/** The checks every store with a change feed must pass; `settle` waits for a remote feed. */
export function subscriptionSuite(name: string, open: () => Promise<{ store: ModelStore; other?: ModelStore; settle: () => Promise<void> }>): void {
  describe(`subscriptions on ${name}`, () => {
    it("by key: the current value, then each change with the value before, only on change", async () => {
      const { store, other, settle } = await open();
      const notes = new NoteRepository(store);
      const writer = new NoteRepository(other ?? store);
      await notes.insert(note(1n, "one"));
      const sub = reader(notes.subscribe({ notebook: "nb", id: 1n }));
      expect(titles(await sub.take(1))).toEqual(["->one"]);
      await settle();
      await writer.save(note(1n, "uno"));
      await writer.save(note(1n, "uno")); // the same value: not delivered
      await writer.save(note(2n, "two")); // another key: not delivered
      await writer.delete({ notebook: "nb", id: 1n });
      await writer.insert(note(1n, "again"));
      expect(titles(await sub.take(3))).toEqual(["one>uno", "uno>-", "->again"]);
      await sub.stop();
    });

    it("by key: a missing record first yields null", async () => {
      const { store, other, settle } = await open();
      const sub = reader(new NoteRepository(store).subscribe({ notebook: "nb", id: 9n }));
      expect(await sub.take(1)).toEqual([{ value: null, previous: null }]);
      await settle();
      await new NoteRepository(other ?? store).insert(note(9n, "nine"));
      expect(titles(await sub.take(1))).toEqual(["->nine"]);
      await sub.stop();
    });

    it("by partition: every record now, then records that appear, change or leave", async () => {
      const { store, other, settle } = await open();
      const notes = new NoteRepository(store);
      const writer = new NoteRepository(other ?? store);
      await notes.insertMany([note(1n, "a"), note(2n, "b"), note(3n, "elsewhere", "other")]);
      const sub = reader(notes.subscribePartition({ notebook: "nb" }));
      expect(titles(await sub.take(2)).sort()).toEqual(["->a", "->b"]);
      await settle();
      await writer.save(note(3n, "x", "other")); // another partition
      await writer.save(note(2n, "b2"));
      await writer.insert(note(4n, "d"));
      await writer.delete({ notebook: "nb", id: 1n });
      expect(titles(await sub.take(3))).toEqual(["b>b2", "->d", "a>-"]);
      await sub.stop();
    });

    it("by index: the record with the index value now, then each change, including moving out of it", async () => {
      const { store, other, settle } = await open();
      const notes = new NoteRepository(store);
      const writer = new NoteRepository(other ?? store);
      await notes.insert(note(1n, "first", "nb", "hello"));
      const sub = reader(notes.subscribeBySlug("nb", "hello"));
      expect(titles(await sub.take(1))).toEqual(["->first"]);
      await settle();
      await writer.save(note(1n, "renamed", "nb", "hello"));
      await writer.save(note(1n, "renamed", "nb", "bye")); // leaves the index value
      await writer.insert(note(2n, "second", "nb", "hello"));
      expect(titles(await sub.take(3))).toEqual(["first>renamed", "renamed>-", "->second"]);
      await sub.stop();
    });

    it("fans one change out to many subscribers", async () => {
      const { store, other, settle } = await open();
      const notes = new NoteRepository(store);
      const subs = Array.from({ length: 200 }, () => reader(notes.subscribe({ notebook: "nb", id: 7n })));
      for (const s of subs) expect(await s.take(1)).toEqual([{ value: null, previous: null }]);
      await settle();
      await new NoteRepository(other ?? store).insert(note(7n, "seven"));
      for (const s of subs) expect(titles(await s.take(1))).toEqual(["->seven"]);
      await Promise.all(subs.map((s) => s.stop()));
    });
  });
}

