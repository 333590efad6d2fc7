import { describe, expect, it } from "vitest";
import { claimedSeedCount, report, runSeeds, seedsFor } from "./run-seeds.js";

describe("deterministic simulation, 5 servers (even seeds: 3, odd seeds: 5)", () => {
  it("keeps election safety, log matching, leader completeness, state machine safety and linearizability on every seed", () => {
    const seeds = seedsFor(1);
    const summary = runSeeds(seeds);
    console.log(report("5 servers", summary));
    expect(summary.failures.map((f) => ({ seed: f.seed, violations: f.violations }))).toEqual([]);
    expect(summary.ran).toBe(claimedSeedCount(1));
  }, 600_000);
});
