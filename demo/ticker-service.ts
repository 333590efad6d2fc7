// The demo's streaming service: every kind of stream, with knobs for failing and pacing.
import type { CallContext } from "rony-ts/runtime/rpc";
import { ErrorCode, RonyError } from "rony-ts/runtime/rpc";
import type { CountRequest, Tick, Total } from "../generated/examples/ticker.js";
import type { TickerServer } from "../generated/examples/ticker.rony.js";

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

export class TickerService implements TickerServer {
  /** Count streams whose generator finished (ended, failed or cancelled): tests read it. */
  finished = 0;

  async *count(input: CountRequest, ctx: CallContext): AsyncIterable<Tick> {
    const note = "x".repeat(input.pad);
    try {
      for (let i = 0n; input.count === 0n || i < input.count; i++) {
        if (input.failAfter > 0n && i === input.failAfter) throw new RonyError(ErrorCode.ABORTED, `failed after ${i} ticks`);
        if (input.everyMs > 0) await pause(input.everyMs, ctx.signal);
        if (ctx.signal?.aborted) return;
        yield { n: input.from + i, note };
      }
    } finally {
      this.finished++;
    }
  }

  async sum(inputs: AsyncIterable<Tick>): Promise<Total> {
    let sum = 0n;
    let count = 0n;
    for await (const t of inputs) {
      sum += t.n;
      count++;
    }
    return { sum, count };
  }

  async *echo(inputs: AsyncIterable<Tick>): AsyncIterable<Tick> {
    for await (const t of inputs) {
      if (t.note === "fail") throw new RonyError(ErrorCode.FAILED_PRECONDITION, `told to fail at ${t.n}`);
      yield t;
    }
  }
}
