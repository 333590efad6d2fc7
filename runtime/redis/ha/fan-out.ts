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
  return new Promise((resolve, reject) => {
    const now = Date.now();
    const acks: Ack<T>[] = [];
    const failures: ReplicaFailure[] = [];
    const pending = new Set<number>();
    let decided = false;
    let markSettled: () => void = () => undefined;
    const settled = new Promise<void>((r) => (markSettled = r));

    const decide = () => {
      if (!decided && acks.length >= options.quorum) {
        decided = true;
        resolve({ acks, settled });
      } else if (!decided && acks.length + pending.size < options.quorum) {
        decided = true;
        reject(new QuorumError(options.connection, options.quorum, acks.length, failures));
      }
      if (pending.size === 0) {
        clearTimeout(timer);
        markSettled();
      }
    };
    const answered = (i: number, value: T) => {
      if (!pending.delete(i)) return;
      const replica = replicas[i]!;
      replica.markUp();
      const ack = { replica: i, address: replica.address, value };
      if (decided) options.onLate?.(ack);
      else acks.push(ack);
      decide();
    };
    const failed = (i: number, failure: ReplicaFailure) => {
      if (!pending.delete(i)) return;
      // A reply error or a throwing op is the command's fault, not the server's: it stays up.
      if (failure.code !== "REPLY_ERROR" && failure.code !== "OP_FAILED") replicas[i]!.markDown(Date.now(), failure.message);
      failures.push(failure);
      decide();
    };

    const timer = setTimeout(() => {
      for (const i of [...pending]) {
        failed(i, { address: replicas[i]!.address, code: "REPLICA_TIMEOUT", message: `no answer within ${options.timeoutMs} ms` });
      }
    }, options.timeoutMs);

    replicas.forEach((replica, i) => {
      if (!replica.available(now)) {
        const why = replica.client.status === "ready" ? `in back-off after: ${replica.lastError}` : `client ${replica.client.status}`;
        failures.push({ address: replica.address, code: "REPLICA_DOWN", message: why });
        return;
      }
      pending.add(i);
      const onError = (error: unknown) =>
        failed(i, {
          address: replica.address,
          code: replyCode(error) === undefined ? "CONNECTION_FAILED" : "REPLY_ERROR",
          message: error instanceof Error ? error.message : String(error),
        });
      try {
        op(replica.client, i).then((value) => answered(i, value), onError);
      } catch (error) {
        // The op threw before returning its promise: nothing reached the server.
        failed(i, { address: replica.address, code: "OP_FAILED", message: error instanceof Error ? error.message : String(error) });
      }
    });
    decide();
  });
}
