import type { Redis } from "ioredis";
import { addressOf, closeClient, connectClient, createClient, type ClientTuning, type RedisAddress } from "../connections/clients.js";
import { ConfigError, ConnectionError } from "../errors.js";
import { fanOut, type Ack, type FanOutResult } from "./fan-out.js";
import { Replica, type Backoff } from "./replica.js";

export interface RedisHaConfig extends ClientTuning {
  name: string;
  /** Independent servers that each hold a full copy. */
  replicas: RedisAddress[];
  /** A replica that has not answered a call in this time is skipped for it and marked down; default 100 ms. */
  timeoutMs?: number;
  /** Acknowledgements a write needs; default a majority. */
  writeQuorum?: number;
  /** Answers a read needs; default a majority. W + R > N makes every read see every acknowledged write. */
  readQuorum?: number;
  /** How long a failed replica is skipped before it is tried again. */
  backoff?: Backoff;
}

export interface ReplicaStatus {
  address: string;
  up: boolean;
  /** Epoch ms of the next probe when down. */
  retryAfter: number;
  lastError: string;
}

export interface QuorumOptions {
  /** Override the configured quorum for this call. */
  quorum?: number;
}

/**
 * The `redis_ha` kind: every call runs on all replicas in parallel and completes on a quorum.
 * The replicas never talk to each other; convergence comes from the CRDTs on top (see crdt/),
 * which merge what replicas answer and repair the ones that lag.
 */
export class RedisHa {
  readonly kind = "redis_ha";
  readonly writeQuorum: number;
  readonly readQuorum: number;
  readonly timeoutMs: number;

  private constructor(
    readonly name: string,
    private readonly replicas: readonly Replica[],
    config: RedisHaConfig,
  ) {
    const n = replicas.length;
    const majority = Math.floor(n / 2) + 1;
    this.writeQuorum = config.writeQuorum ?? majority;
    this.readQuorum = config.readQuorum ?? majority;
    this.timeoutMs = config.timeoutMs ?? 100;
    for (const r of replicas) r.onChange = (replica) => this.#changed(replica);
  }

  readonly #replicaListeners = new Set<(status: ReplicaStatus) => void>();

  /** Told each time a replica goes down or comes back up (for logs and alerts); returns the unsubscribe. */
  onReplicaChange(listener: (status: ReplicaStatus) => void): () => void {
    this.#replicaListeners.add(listener);
    return () => this.#replicaListeners.delete(listener);
  }

  #changed(r: Replica): void {
    const status = { address: r.address, up: r.up, retryAfter: r.retryAfter, lastError: r.lastError };
    for (const l of this.#replicaListeners) l(status);
  }

  /** Connects every replica; succeeds when enough answer for both quorums (the rest are probed later). */
  static async connect(config: RedisHaConfig): Promise<RedisHa> {
    validate(config);
    const backoff = { initialMs: config.backoff?.initialMs ?? 100, maxMs: config.backoff?.maxMs ?? 5_000 };
    const replicas = config.replicas.map(
      (address) =>
        new Replica(
          addressOf(address),
          // No offline queue and no per-command retries: a call to a replica that is down fails
          // at once instead of waiting for a reconnect; ioredis keeps reconnecting in the background.
          createClient(address, config, {
            enableOfflineQueue: false,
            maxRetriesPerRequest: 0,
            autoResendUnfulfilledCommands: false,
            retryStrategy: (times) => Math.min(25 * 2 ** times, 1_000),
          }),
          backoff,
        ),
    );
    const ha = new RedisHa(config.name, replicas, config);
    const results = await Promise.allSettled(
      replicas.map((r, i) => connectClient(r.client, config.name, config.replicas[i]!, { keepRetrying: true })),
    );
    const failed = results.flatMap((r, i) => (r.status === "rejected" ? [{ i, reason: r.reason as unknown }] : []));
    for (const { i } of failed) replicas[i]!.markDown(Date.now(), "unreachable at connect");
    const needed = Math.max(ha.writeQuorum, ha.readQuorum);
    if (replicas.length - failed.length < needed) {
      await ha.quit();
      const addresses = failed.map(({ i }) => replicas[i]!.address).join(", ");
      throw new ConnectionError(config.name, addresses, `only ${replicas.length - failed.length} of ${replicas.length} replicas reachable, ${needed} needed`, {
        cause: failed[0]?.reason,
      });
    }
    // The replicas that failed stay in ioredis' reconnect loop and join once they answer.
    return ha;
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Runs `op` on every replica; resolves with the first W acknowledgements. */
  write<T>(op: (client: Redis, replica: number) => Promise<T>, options: QuorumOptions = {}): Promise<FanOutResult<T>> {
    return fanOut(this.replicas, op, { connection: this.name, quorum: options.quorum ?? this.writeQuorum, timeoutMs: this.timeoutMs });
  }

  /**
   * Runs `op` on every replica; resolves with the first R answers. Answers that come later
   * (within the timeout) go to `onLate`, so a merge-on-read caller can repair those replicas too.
   */
  read<T>(
    op: (client: Redis, replica: number) => Promise<T>,
    options: QuorumOptions & { onLate?: (ack: Ack<T>) => void } = {},
  ): Promise<FanOutResult<T>> {
    return fanOut(this.replicas, op, {
      connection: this.name,
      quorum: options.quorum ?? this.readQuorum,
      timeoutMs: this.timeoutMs,
      onLate: options.onLate,
    });
  }

  /** The client of replica `i` (for repairs aimed at one replica, and for tests). */
  client(i: number): Redis {
    return this.replicas[i]!.client;
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({ address: r.address, up: r.up, retryAfter: r.retryAfter, lastError: r.lastError }));
  }

  async quit(): Promise<void> {
    await Promise.all(this.replicas.map((r) => closeClient(r.client)));
  }
}

function validate(config: RedisHaConfig): void {
  const n = config.replicas.length;
  if (n === 0) throw new ConfigError(config.name, "replicas", "must list at least one server");
  const within = (field: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1 && value <= n)) {
      throw new ConfigError(config.name, field, `must be an integer from 1 to ${n} (the number of replicas), got ${value}`);
    }
  };
  within("writeQuorum", config.writeQuorum);
  within("readQuorum", config.readQuorum);
  if (config.timeoutMs !== undefined && !(config.timeoutMs > 0)) {
    throw new ConfigError(config.name, "timeoutMs", `must be > 0, got ${config.timeoutMs}`);
  }
}

export type { Ack, FanOutResult } from "./fan-out.js";
