// A simulated client: one request at a time, retried on another node after a timeout. A put keeps
// its session (clientId, seq) across retries, so the store applies it once.
import type { KeyedOp } from "./linearizability.js";
import type { ClientReply, SimNode } from "./sim-node.js";

export interface ClientHost {
  now(): number;
  schedule(at: number, run: () => void): void;
  random(): number;
  node(id: number): SimNode | undefined;
  nodeIds(): number[];
  /** Client ↔ server delay; that link is not faulted, but servers crash. */
  replyDelay(): number;
}

const KEYS = ["x", "y", "z"];
const TIMEOUT = 120;

export class SimClient {
  readonly history: KeyedOp[] = [];
  private seq = 0;
  private target: number;
  private attempt = 0;
  private stopped = false;
  completed = 0;

  constructor(
    readonly id: number,
    private readonly host: ClientHost,
  ) {
    this.target = host.nodeIds()[id % host.nodeIds().length]!;
  }

  start(): void {
    this.host.schedule(this.host.now() + this.host.random() * 20, () => this.next());
  }

  stop(): void {
    this.stopped = true;
  }

  /** Issues one put and calls done when it is acknowledged (used for the final liveness check). */
  putOnce(key: string, value: string, done: () => void): void {
    this.stopped = true;
    this.issuePut(key, value, done);
  }

  private next(): void {
    if (this.stopped) return;
    const key = KEYS[Math.floor(this.host.random() * KEYS.length)]!;
    // wander: reads and writes through different servers are how stale reads would show
    if (this.host.random() < 0.3) this.pickOther();
    if (this.host.random() < 0.55) this.issuePut(key, `c${this.id}-${this.seq + 1}`, () => this.thenNext());
    else this.issueGet(key);
  }

  private thenNext(): void {
    this.completed++;
    this.host.schedule(this.host.now() + this.host.random() * 15, () => this.next());
  }

  private pickOther(hint = 0): void {
    const ids = this.host.nodeIds();
    this.target = hint !== 0 && ids.includes(hint) ? hint : ids[Math.floor(this.host.random() * ids.length)]!;
  }

  private issuePut(key: string, value: string, done: () => void): void {
    const seq = ++this.seq;
    const op: KeyedOp = { kind: "put", key, value, call: this.host.now(), ret: Infinity, client: this.id };
    this.history.push(op);
    const cmd = { clientId: `c${this.id}`, seq, op: "put" as const, key, value };
    const send = (): void => {
      const attempt = ++this.attempt;
      const node = this.host.node(this.target);
      const retry = (hint = 0, delay = 10): void => {
        if (attempt !== this.attempt || op.ret !== Infinity) return;
        this.pickOther(hint);
        this.host.schedule(this.host.now() + delay, send);
      };
      if (!node?.alive) return retry(0, 10);
      this.host.schedule(this.host.now() + TIMEOUT, () => retry());
      const d = this.host.replyDelay();
      this.host.schedule(this.host.now() + d, () => {
        if (!node.alive) return;
        node.put(cmd, (r: ClientReply) =>
          this.host.schedule(this.host.now() + d, () => {
            if (attempt !== this.attempt || op.ret !== Infinity) return;
            if (r.ok) {
              op.ret = this.host.now();
              done();
            } else retry(r.leader, 10);
          }),
        );
      });
    };
    send();
  }

  private issueGet(key: string): void {
    const attempt = ++this.attempt;
    const call = this.host.now();
    const node = this.host.node(this.target);
    let answered = false;
    const retry = (hint = 0): void => {
      if (attempt !== this.attempt || answered) return;
      answered = true;
      this.pickOther(hint);
      this.host.schedule(this.host.now() + 10, () => this.next());
    };
    if (!node?.alive) return retry();
    this.host.schedule(call + TIMEOUT, () => retry());
    const d = this.host.replyDelay();
    this.host.schedule(call + d, () => {
      if (!node.alive) return;
      node.get(key, (r) =>
        this.host.schedule(this.host.now() + d, () => {
          if (attempt !== this.attempt || answered) return;
          if (!r.ok) return retry(r.leader);
          answered = true;
          // a read that timed out saw nothing; only answered reads enter the history
          this.history.push({ kind: "get", key, value: r.value, call, ret: this.host.now(), client: this.id });
          this.thenNext();
        }),
      );
    });
  }
}
