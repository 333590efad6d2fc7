import { describe, expect, it } from "vitest";
import { runSeed } from "./simulation.js";

describe("simulation harness", () => {
  it("replays a seed exactly", () => {
    const a = runSeed(4242);
    const b = runSeed(4242);
    expect(b).toEqual(a);
    expect(a.stats.events).toBeGreaterThan(1000);
  });

  it("exercises the faults it claims to inject", () => {
    const totals = { crashes: 0, confChanges: 0, leaders: 0, ops: 0 };
    for (let s = 1; s <= 40; s++) {
      const r = runSeed(s);
      totals.crashes += r.stats.crashes;
      totals.confChanges += r.stats.confChanges;
      totals.leaders += r.stats.leaders;
      totals.ops += r.stats.ops;
    }
    expect(totals.crashes).toBeGreaterThan(20);
    expect(totals.confChanges).toBeGreaterThan(20);
    expect(totals.leaders).toBeGreaterThan(80);
    expect(totals.ops).toBeGreaterThan(1000);
  });
});
