import { describe, expect, it } from "vitest";
import { backoffDelay, defaultBackoff } from "./backoff.js";

describe("reconnect backoff", () => {
  it("grows by the factor up to the cap", () => {
    const o = { ...defaultBackoff, jitter: 0 };
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, o))).toEqual([100, 200, 400, 800, 5000]);
  });

  it("jitters within ±jitter of the delay", () => {
    expect(backoffDelay(1, defaultBackoff, () => 0)).toBe(160);
    expect(backoffDelay(1, defaultBackoff, () => 1)).toBe(240);
  });
});
