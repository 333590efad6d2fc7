/**
 * A PN-counter as per-actor running totals: field `p:<actor>` holds everything that actor ever
 * added, `n:<actor>` everything it ever subtracted. Totals only grow, so merging replicas is a
 * per-field max — commutative, associative and idempotent — and re-sending a total never
 * counts twice. value = ΣP − ΣN.
 */
export type CounterTotals = ReadonlyMap<string, number>;

export function incrementField(actor: string): string {
  return `p:${actor}`;
}

export function decrementField(actor: string): string {
  return `n:${actor}`;
}

export function mergeTotals(a: CounterTotals, b: CounterTotals): Map<string, number> {
  const merged = new Map(a);
  for (const [field, total] of b) {
    if (total > (merged.get(field) ?? 0)) merged.set(field, total);
  }
  return merged;
}

export function counterValue(totals: CounterTotals): number {
  let value = 0;
  for (const [field, total] of totals) value += field.startsWith("p:") ? total : -total;
  return value;
}

/** Fields where `replica` is behind `merged`, with the totals to send it. */
export function totalsBehind(replica: CounterTotals, merged: CounterTotals): Map<string, number> {
  const behind = new Map<string, number>();
  for (const [field, total] of merged) {
    if ((replica.get(field) ?? 0) < total) behind.set(field, total);
  }
  return behind;
}

/** HGETALL reply → totals; ignores fields that are not counter totals. */
export function parseTotals(hash: Readonly<Record<string, string>>): Map<string, number> {
  const totals = new Map<string, number>();
  for (const [field, text] of Object.entries(hash)) {
    const total = Number(text);
    if ((field.startsWith("p:") || field.startsWith("n:")) && Number.isSafeInteger(total) && total >= 0) totals.set(field, total);
  }
  return totals;
}
