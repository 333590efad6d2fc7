/** Small timing helpers for bench/redis.bench.ts: rounds interleaved, medians, a plain table. */

export interface Sample {
  /** Nanoseconds per operation. */
  nsPerOp: number;
}

/** Runs `op` `count` times one after another; returns ns per op. */
export async function sequential(count: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await op(i);
  return Number(process.hrtime.bigint() - started) / count;
}

/** Runs `op` `count` times with `inFlight` calls outstanding; returns ns per op (1e9 / throughput). */
export async function concurrent(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) await op(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / count;
}

/** Synchronous loop timing, ns per op. */
export function loop(count: number, op: (i: number) => unknown): number {
  let sink = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) if (op(i) === undefined) sink++;
  const ns = Number(process.hrtime.bigint() - started) / count;
  return sink > count ? -1 : ns;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface Row {
  case: string;
  ours: string;
  peer: string;
  /** ours / peer (lower is better for latency rows; for throughput rows we show time per op too). */
  ratio: number;
  target?: number;
}

export function printTable(title: string, rows: readonly Row[]): void {
  const header = ["case", "rony-ts", "peer", "ratio", "target"];
  const lines = rows.map((r) => [r.case, r.ours, r.peer, `${r.ratio.toFixed(2)}×`, r.target ? `≤ ${r.target.toFixed(2)}× ${r.ratio <= r.target ? "ok" : "MISSED"}` : ""]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(`\n${title}`);
  console.log(fmt(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(fmt(line));
}

export function micros(ns: number): string {
  return `${(ns / 1_000).toFixed(1)} µs/op`;
}

export function opsPerSecond(ns: number): string {
  return `${Math.round(1e9 / ns).toLocaleString("en-US")} ops/s`;
}

export function nanos(ns: number): string {
  return `${ns.toFixed(0)} ns/op`;
}
