import type { Redis } from "ioredis";
import { QuorumError, replyCode, type ReplicaFailure } from "../errors.js";
import type { Replica } from "./replica.js";

export interface Ack<T> {
  /** Index of the replica in the config. */
  readonly replica: number;
  readonly address: string;
  readonly value: T;
}

export interface FanOutResult<T> {
  /** The first `quorum` answers. */
  readonly acks: Ack<T>[];
  /** Resolves when every replica the call was sent to has answered, failed or timed out. */
  readonly settled: Promise<void>;
}

export interface FanOutOptions<T> {
  connection: string;
  quorum: number;
  timeoutMs: number;
  /** An answer that arrived after the quorum was reached (used for read repair). */
  onLate?: (ack: Ack<T>) => void;
}

/**
 * Runs `op` on every available replica at once and resolves as soon as `quorum` of them
 * answered — never waiting for a dead or slow one: replicas in back-off are skipped, and one
 * timer per call fails (and marks down) whoever has not answered after `timeoutMs`. Rejects
 * with QuorumError as soon as the quorum can no longer be reached.
 */
export function fanOut<T>(
  replicas: readonly Replica[],
  op: (client: Redis, replica: number) => Promise<T>,
  options: FanOutOptions<T>,
): Promise<FanOutResult<T>> {
  return new Promise((resolve, reject) => new FanOut(replicas, options, resolve, reject).start(op));
}

/**
 * One call's fan-out. Its steps are methods, not closures made per call: under tsx (esbuild's
 * keepNames) each named closure made costs an Object.defineProperty.
 */
class FanOut<T> {
  readonly #acks: Ack<T>[] = [];
  readonly #failures: ReplicaFailure[] = [];
  readonly #pending = new Set<number>();
  #decided = false;
  readonly #settled: Promise<void>;
  readonly #markSettled: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly replicas: readonly Replica[],
    readonly options: FanOutOptions<T>,
    readonly resolve: (result: FanOutResult<T>) => void,
    readonly reject: (error: QuorumError) => void,
  ) {
    let markSettled!: () => void;
    this.#settled = new Promise<void>((r) => (markSettled = r));
    this.#markSettled = markSettled;
  }

  start(op: (client: Redis, replica: number) => Promise<T>): void {
    const now = Date.now();
    this.#timer = setTimeout(() => this.#timeOut(), this.options.timeoutMs);
    this.replicas.forEach((replica, i) => {
      if (!replica.available(now)) {
        const why = replica.client.status === "ready" ? `in back-off after: ${replica.lastError}` : `client ${replica.client.status}`;
        this.#failures.push({ address: replica.address, code: "REPLICA_DOWN", message: why });
        return;
      }
      this.#pending.add(i);
      try {
        op(replica.client, i).then(
          (value) => this.#answered(i, value),
          (error: unknown) =>
            this.#failed(i, {
              address: replica.address,
              code: replyCode(error) === undefined ? "CONNECTION_FAILED" : "REPLY_ERROR",
              message: error instanceof Error ? error.message : String(error),
            }),
        );
      } catch (error) {
        // The op threw before returning its promise: nothing reached the server.
        this.#failed(i, { address: replica.address, code: "OP_FAILED", message: error instanceof Error ? error.message : String(error) });
      }
    });
    this.#decide();
  }

  #decide(): void {
    const { quorum } = this.options;
    if (!this.#decided && this.#acks.length >= quorum) {
      this.#decided = true;
      this.resolve({ acks: this.#acks, settled: this.#settled });
    } else if (!this.#decided && this.#acks.length + this.#pending.size < quorum) {
      this.#decided = true;
      this.reject(new QuorumError(this.options.connection, quorum, this.#acks.length, this.#failures));
    }
    if (this.#pending.size === 0) {
      clearTimeout(this.#timer);
      this.#markSettled();
    }
  }

  #answered(i: number, value: T): void {
    if (!this.#pending.delete(i)) return;
    const replica = this.replicas[i]!;
    replica.markUp();
    const ack = { replica: i, address: replica.address, value };
    if (this.#decided) this.options.onLate?.(ack);
    else this.#acks.push(ack);
    this.#decide();
  }

  #failed(i: number, failure: ReplicaFailure): void {
    if (!this.#pending.delete(i)) return;
    // A reply error or a throwing op is the command's fault, not the server's: it stays up.
    if (failure.code !== "REPLY_ERROR" && failure.code !== "OP_FAILED") this.replicas[i]!.markDown(Date.now(), failure.message);
    this.#failures.push(failure);
    this.#decide();
  }

  #timeOut(): void {
    for (const i of [...this.#pending]) {
      this.#failed(i, { address: this.replicas[i]!.address, code: "REPLICA_TIMEOUT", message: `no answer within ${this.options.timeoutMs} ms` });
    }
  }
}
