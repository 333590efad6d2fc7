// Runs a range of simulation seeds and summarizes. RAFT_SEEDS sets how many (default 2000 across
// the 3- and 5-server suites), RAFT_SEED replays one seed, RAFT_SEED_START shifts the range.
import type { SimResult } from "./simulation.js";
import { runSeed } from "./simulation.js";

export interface SeedSummary {
  seeds: number[];
  failures: SimResult[];
  totals: Record<string, number>;
  ms: number;
}

export const seedsFor = (parity: 0 | 1): number[] => {
  const one = process.env["RAFT_SEED"];
  if (one !== undefined && one !== "") {
    const s = Number(one);
    return s % 2 === parity ? [s] : [];
  }
  const total = Number(process.env["RAFT_SEEDS"] ?? 2000);
  const start = Number(process.env["RAFT_SEED_START"] ?? 1);
  const seeds: number[] = [];
  for (let s = start; s < start + total; s++) if (s % 2 === parity) seeds.push(s);
  return seeds;
};

export const runSeeds = (seeds: number[]): SeedSummary => {
  const t0 = performance.now();
  const failures: SimResult[] = [];
  const totals: Record<string, number> = {};
  for (const seed of seeds) {
    const r = runSeed(seed);
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
    if (r.violations.length > 0) failures.push(r);
  }
  return { seeds, failures, totals, ms: performance.now() - t0 };
};

export const report = (label: string, s: SeedSummary): string => {
  const lines = [
    `raft simulation ${label}: ${s.seeds.length} seeds, ${s.failures.length} with violations, ${Math.round(s.ms)} ms`,
    `  ${Object.entries(s.totals).map(([k, v]) => `${k}=${v}`).join(" ")}`,
  ];
  for (const f of s.failures.slice(0, 10)) {
    lines.push(`  FAILED seed ${f.seed} — replay: RAFT_SEED=${f.seed} npx vitest run runtime/raft/sim`);
    for (const v of f.violations.slice(0, 5)) lines.push(`    ${v}`);
  }
  return lines.join("\n");
};
