import { describe, expect, it } from "vitest";
import { CallRate } from "./call-rate.js";

describe("CallRate", () => {
  it("averages over the newest window of at least a second, read every second or more often", () => {
    let now = 0;
    let total = 0;
    const rate = new CallRate(() => total, () => now);
    expect(rate.perSecond()).toBe(0);
    // 100 calls/s for 3 s, read every 300 ms
    for (let t = 300; t <= 3_000; t += 300) {
      now = t;
      total = t / 10;
      rate.perSecond();
    }
    expect(rate.perSecond()).toBe(100);
    // then 500 calls/s: within 1.25 s the figure is the new rate
    for (let t = 3_300; t <= 4_500; t += 300) {
      now = t;
      total = 300 + ((t - 3_000) / 1_000) * 500;
      rate.perSecond();
    }
    expect(rate.perSecond()).toBe(500);
  });

  it("averages over the whole gap when read rarely, and since creation when younger than a second", () => {
    let now = 1_000;
    let total = 40;
    const rate = new CallRate(() => total, () => now);
    now = 1_500;
    total = 90;
    expect(rate.perSecond()).toBe(100);
    now = 11_500;
    total = 1_090;
    expect(rate.perSecond()).toBe(100);
  });
});
