// What the cluster bench's parts share: a target the closed loop calls, interleaved rounds over
// several targets, medians of the rounds, and the rows and ratios printed from them (a ratio from
// a client above CLIENT_SATURATED of a core is flagged: it measures the client, not the servers).
import { closedLoop, median, type Run } from "./closed-loop.js";

/** A client process above this share of a core measures itself, not the server: no ratio from it. */
export const CLIENT_SATURATED = 0.9;

/** One call for key index `k`; resolves false when it failed. */
export type Call = (k: number) => Promise<boolean>;

export interface Target {
  readonly name: string;
  /** The server processes whose CPU the run reads. */
  readonly pids: number[];
  /** Calls draw their key index below this. */
  readonly keys: number;
  open(): Promise<{ call: Call; close(): void }>;
}

export const load = async (target: Target, concurrency: number, seconds: number): Promise<Run> => {
  const { call, close } = await target.open();
  try {
    return await closedLoop(call, target.pids, concurrency, seconds, target.keys);
  } finally {
    close();
  }
};

export const medianRun = (rs: Run[]): Run => ({
  p50: median(rs.map((r) => r.p50)),
  p99: median(rs.map((r) => r.p99)),
  opsPerSec: median(rs.map((r) => r.opsPerSec)),
  serverCpu: median(rs.map((r) => r.serverCpu)),
  clientCpu: median(rs.map((r) => r.clientCpu)),
  errors: rs.reduce((n, r) => n + r.errors, 0),
});

/** `rounds` rounds, each running every target at every concurrency in turn; the medians by "<name>/<concurrency>". */
export const interleaved = async (targets: readonly Target[], concurrency: readonly number[], rounds: number, seconds: number): Promise<Map<string, Run>> => {
  const runs = new Map<string, Run[]>();
  for (let round = 0; round < rounds; round++) {
    for (const conc of concurrency) {
      for (const t of targets) {
        const k = `${t.name}/${conc}`;
        runs.set(k, [...(runs.get(k) ?? []), await load(t, conc, seconds)]);
      }
    }
  }
  return new Map([...runs].map(([k, rs]) => [k, medianRun(rs)]));
};

export const ms = (x: number) => x.toFixed(3);
export const row = (cols: string[]) => console.log(cols.map((c, i) => (i === 0 ? c.padEnd(22) : c.padStart(10))).join(" "));
export const header = () => row(["", "callers", "p50 ms", "p99 ms", "ops/s", "server CPU", "client CPU", "errors"]);
export const printRun = (name: string, conc: number, r: Run) =>
  row([name, String(conc), ms(r.p50), ms(r.p99), r.opsPerSec.toFixed(0), `${(r.serverCpu * 100).toFixed(0)}%`, `${(r.clientCpu * 100).toFixed(0)}%${r.clientCpu > CLIENT_SATURATED ? "!" : ""}`, String(r.errors)]);

/** Prints x / y for one number of callers, from the medians `med`; nothing when either is missing. */
export const printRatio = (med: ReadonlyMap<string, Run>, a: string, b: string, conc: number) => {
  const x = med.get(`${a}/${conc}`);
  const y = med.get(`${b}/${conc}`);
  if (x === undefined || y === undefined) return;
  const saturated = (r: Run) => r.clientCpu > CLIENT_SATURATED;
  const flag = saturated(x) || saturated(y) ? "   (client saturated: not a server ratio)" : "";
  console.log(`  ${String(conc).padStart(2)} callers: p50 ×${(x.p50 / y.p50).toFixed(2)}  p99 ×${(x.p99 / y.p99).toFixed(2)}  throughput ×${(x.opsPerSec / y.opsPerSec).toFixed(2)}${flag}`);
};
