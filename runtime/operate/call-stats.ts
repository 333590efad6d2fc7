// Per-rpc call counts and latency buckets, kept in plain arrays on the call path and turned into
// prom-client metric values only when /metrics is scraped: prom-client's own inc/observe hash
// their labels on every call, which measured as most of the cost of metrics on the edge bench.
import { Counter, Histogram, type MetricObjectWithValues, type MetricValueWithName, type Registry } from "prom-client";
import { ErrorCode, type AnyMethod } from "../rpc/index.js";

/** Codes are small integers (rony.ErrorCode); slot 0 counts OK, slot code + 1 an error code. */
const CODE_SLOTS = 32;

export class MethodStats {
  readonly codes = new Float64Array(CODE_SLOTS);
  readonly buckets: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly name: string,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length);
  }

  /** `code` is undefined for OK; `seconds` the call's duration. */
  record(code: ErrorCode | undefined, seconds: number): void {
    const slot = code === undefined ? 0 : code + 1;
    this.codes[slot >= 1 && slot < CODE_SLOTS ? slot : 0]! += 1;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    if (i < bounds.length) this.buckets[i]! += 1;
    this.sum += seconds;
    this.count++;
  }
}

/**
 * prom-client's typings declare `type` as a numeric enum its JavaScript never exports; the
 * registry prints the string ("counter", "histogram") its own metrics return, as here.
 */
function exported<T extends MetricValueWithName<string>>(metric: { name: string; help: string; type: string; aggregator: "sum"; values: T[] }): MetricObjectWithValues<T> {
  return metric as unknown as MetricObjectWithValues<T>;
}

function codeName(slot: number): string {
  return slot === 0 ? "OK" : (ErrorCode[slot - 1] ?? String(slot - 1));
}

/** rony_calls_total, its values read from the stats at scrape time. */
export class CallCounter extends Counter<"method" | "code"> {
  static readonly help = "Calls answered, by rpc and result code (OK or an error code).";

  constructor(
    private readonly metricName: string,
    registry: Registry,
    private readonly stats: () => Iterable<MethodStats>,
  ) {
    super({ name: metricName, help: CallCounter.help, labelNames: ["method", "code"], registers: [registry] });
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<"method" | "code">>> {
    const values: MetricValueWithName<"method" | "code">[] = [];
    for (const s of this.stats()) {
      for (let slot = 0; slot < CODE_SLOTS; slot++) {
        if (s.codes[slot]! > 0) values.push({ value: s.codes[slot]!, labels: { method: s.name, code: codeName(slot) } });
      }
    }
    return exported({ name: this.metricName, help: CallCounter.help, type: "counter", aggregator: "sum", values });
  }
}

/** rony_call_duration_seconds, cumulative buckets built from the stats at scrape time. */
export class LatencyHistogram extends Histogram<"method"> {
  static readonly help = "Time from a call entering its middleware chain to its outcome.";

  constructor(
    private readonly metricName: string,
    registry: Registry,
    private readonly bounds: readonly number[],
    private readonly stats: () => Iterable<MethodStats>,
  ) {
    super({ name: metricName, help: LatencyHistogram.help, labelNames: ["method"], buckets: [...bounds], registers: [registry] });
  }

  /** What the registry prints for a histogram (prom-client asks this, not get(), when it exists). */
  getForPromString(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    return this.get();
  }

  override async get(): Promise<MetricObjectWithValues<MetricValueWithName<string>>> {
    const name = this.metricName;
    const values: MetricValueWithName<string>[] = [];
    for (const s of this.stats()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i]!;
        values.push({ metricName: `${name}_bucket`, value: cumulative, labels: { le, method: s.name } });
      });
      values.push({ metricName: `${name}_bucket`, value: s.count, labels: { le: "+Inf", method: s.name } });
      values.push({ metricName: `${name}_sum`, value: s.sum, labels: { method: s.name } });
      values.push({ metricName: `${name}_count`, value: s.count, labels: { method: s.name } });
    }
    return exported({ name, help: LatencyHistogram.help, type: "histogram", aggregator: "sum", values });
  }
}

/** Stats per method descriptor: an identity lookup per call, no string built. */
export class StatsByMethod {
  readonly #byMethod = new Map<AnyMethod, MethodStats>();

  constructor(private readonly bounds: readonly number[]) {}

  of(method: AnyMethod): MethodStats {
    let s = this.#byMethod.get(method);
    if (s === undefined) {
      s = new MethodStats(`${method.service}.${method.name}`, this.bounds);
      this.#byMethod.set(method, s);
    }
    return s;
  }

  values(): Iterable<MethodStats> {
    return this.#byMethod.values();
  }
}
