// A sorted array of record ids (order keys) with binary search: the memory back-end's index.

export function lowerBound(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function insertSorted(ids: string[], id: string): void {
  const at = lowerBound(ids, id);
  if (ids[at] !== id) ids.splice(at, 0, id);
}

export function removeSorted(ids: string[], id: string): void {
  const at = lowerBound(ids, id);
  if (ids[at] === id) ids.splice(at, 1);
}

/** Up to `limit` ids after `after` ("" = from the start), and whether more follow. */
export function pageAfter(ids: readonly string[], after: string, limit: number): { ids: string[]; more: boolean } {
  let start = after === "" ? 0 : lowerBound(ids, after);
  if (ids[start] === after) start++;
  return { ids: ids.slice(start, start + limit), more: start + limit < ids.length };
}
