// The histogram the edge exports, built from plain per-call arrays at scrape time, holds
// Prometheus' law: the bucket `le` counts the observations ≤ le, +Inf counts them all.
import fc from "fast-check";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "../rpc/index.js";
import { CallCounter, LatencyHistogram, StatsByMethod } from "./call-stats.js";

const bounds = [0.001, 0.01, 0.1, 1];
const method = { service: "s.S", name: "M" } as never;

describe("call stats", () => {
  it("bucket le counts the durations ≤ le; sum and count add up", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { maxLength: 50 }), async (durations) => {
        const stats = new StatsByMethod(bounds);
        for (const d of durations) stats.of(method).record(undefined, d);
        const histogram = new LatencyHistogram("h", new Registry(), bounds, () => stats.values());
        const values = (await histogram.get()).values;
        const bucket = (le: number | string) => values.find((v) => v.metricName === "h_bucket" && v.labels["le"] === le)?.value ?? 0;
        for (const le of bounds) expect(bucket(le)).toBe(durations.filter((d) => d <= le).length);
        expect(bucket("+Inf")).toBe(durations.length);
        expect(values.find((v) => v.metricName === "h_count")?.value ?? 0).toBe(durations.length);
        expect(values.find((v) => v.metricName === "h_sum")?.value ?? 0).toBeCloseTo(durations.reduce((a, b) => a + b, 0), 9);
      }),
    );
  });

  it("counts calls by code name, OK for none", async () => {
    const stats = new StatsByMethod(bounds);
    stats.of(method).record(undefined, 0);
    stats.of(method).record(ErrorCode.NOT_FOUND, 0);
    stats.of(method).record(ErrorCode.NOT_FOUND, 0);
    const counter = new CallCounter("c", new Registry(), () => stats.values());
    expect((await counter.get()).values).toEqual([
      { value: 1, labels: { method: "s.S.M", code: "OK" } },
      { value: 2, labels: { method: "s.S.M", code: "NOT_FOUND" } },
    ]);
  });
});
