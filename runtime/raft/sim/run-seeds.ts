// Runs a range of simulation seeds and summarizes. RAFT_SEEDS sets how many (default 2000 across
// the 3- and 5-server suites), RAFT_SEED replays one seed, RAFT_SEED_START shifts the range.
import type { SimResult } from "./simulation.js";
import { runSeed } from "./simulation.js";

export interface SeedSummary {
  seeds: number[];
  /** Seeds whose simulation ran (processed at least one event). */
  ran: number;
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

/**
 * How many seeds of this parity the environment asks for: 1000 each by default (2000 in all),
 * RAFT_SEEDS / 2 in the long mode, one or none for a RAFT_SEED replay. Counted from the settings
 * alone, so a test can hold the run to what it claims.
 */
export const claimedSeedCount = (parity: 0 | 1): number => {
  const one = process.env["RAFT_SEED"];
  if (one !== undefined && one !== "") return Number(one) % 2 === parity ? 1 : 0;
  const total = Number(process.env["RAFT_SEEDS"] ?? 2000);
  const start = Number(process.env["RAFT_SEED_START"] ?? 1);
  // [start, start + total) holds ceil(total / 2) numbers of start's parity and floor(total / 2) of the other.
  return start % 2 === parity ? Math.ceil(total / 2) : Math.floor(total / 2);
};

export const runSeeds = (seeds: number[]): SeedSummary => {
  const t0 = performance.now();
  const failures: SimResult[] = [];
  const totals: Record<string, number> = {};
  let ran = 0;
  for (const seed of seeds) {
    const r = runSeed(seed);
    if (r.stats.events > 0) ran++;
    for (const [k, v] of Object.entries(r.stats)) totals[k] = (totals[k] ?? 0) + v;
    if (r.violations.length > 0) failures.push(r);
  }
  return { seeds, ran, failures, totals, ms: performance.now() - t0 };
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
