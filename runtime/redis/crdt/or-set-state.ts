/**
 * An add-wins observed-remove set. Every add creates an entry `<tag><element>` with a fresh
 * 16-hex-digit tag; a remove tombstones the entries it observed. An element is present while
 * one of its entries is not tombstoned, so an add concurrent with a remove (a tag the remove did
 * not see) wins, and a replica that missed the remove cannot bring the element back: merging
 * unions the tombstones too. Entries that are tombstoned are dropped from `adds` (compaction);
 * the tombstones stay.
 */
export const TAG_LENGTH = 16;

export interface OrSetState {
  readonly adds: ReadonlySet<string>;
  readonly removed: ReadonlySet<string>;
}

export function entryOf(tag: string, element: string): string {
  return tag + element;
}

export function elementOf(entry: string): string {
  return entry.slice(TAG_LENGTH);
}

export function mergeOrSets(a: OrSetState, b: OrSetState): OrSetState {
  const removed = new Set([...a.removed, ...b.removed]);
  const adds = new Set<string>();
  for (const entry of a.adds) if (!removed.has(entry)) adds.add(entry);
  for (const entry of b.adds) if (!removed.has(entry)) adds.add(entry);
  return { adds, removed };
}

export function elementsOf(state: OrSetState): string[] {
  const present = new Set<string>();
  for (const entry of state.adds) if (!state.removed.has(entry)) present.add(elementOf(entry));
  return [...present].sort();
}

/** The live entries of `element`: what a remove must tombstone. */
export function entriesOf(state: OrSetState, element: string): string[] {
  return [...state.adds].filter((e) => !state.removed.has(e) && elementOf(e) === element);
}

/** What `replica` lacks compared with `merged`: live entries to add and tombstones to record. */
export function orSetBehind(replica: OrSetState, merged: OrSetState): { adds: string[]; removed: string[] } {
  return {
    adds: [...merged.adds].filter((e) => !replica.adds.has(e)),
    removed: [...merged.removed].filter((e) => !replica.removed.has(e)),
  };
}

export function sameOrSet(a: OrSetState, b: OrSetState): boolean {
  const sameSet = (x: ReadonlySet<string>, y: ReadonlySet<string>) => x.size === y.size && [...x].every((e) => y.has(e));
  return sameSet(a.adds, b.adds) && sameSet(a.removed, b.removed);
}
