// A closed-loop load: `concurrency` callers each send a write as soon as their last one returned,
// for `seconds` after a 0.5 s warm-up, timing each and reading the servers' and this client's CPU.
// The Raft bench (etcd against rony-ts KV) and the cluster bench (replicated Notes) share it.
import { cpuSeconds } from "./raft-cluster.js";

export interface Run {
  p50: number;
  p99: number;
  opsPerSec: number;
  serverCpu: number;
  clientCpu: number;
  errors: number;
}

/** `write(key)` resolves true when acknowledged; keys are drawn at random below `keys`. */
export async function closedLoop(write: (key: number) => Promise<boolean>, pids: number[], concurrency: number, seconds: number, keys: number): Promise<Run> {
  const randomKey = () => Math.floor(Math.random() * keys);
  // warm up: connection, JIT, the leader's pipeline
  const warmEnd = performance.now() + 500;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < warmEnd) await write(randomKey());
  }));
  const lat: number[] = [];
  let errors = 0;
  const cpu0 = await cpuSeconds(pids);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        if (await write(randomKey())) lat.push(performance.now() - s);
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await cpuSeconds(pids);
  const cu = process.cpuUsage(client0);
  lat.sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), opsPerSec: lat.length / elapsed, serverCpu: (cpu1 - cpu0) / elapsed, clientCpu: (cu.user + cu.system) / 1e6 / elapsed, errors };
}

export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
