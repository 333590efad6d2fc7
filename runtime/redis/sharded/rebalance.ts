import { RedisRuntimeError, replyCode, toRuntimeError } from "../errors.js";
import type { KetamaRing } from "../hashing/ketama-ring.js";
import type { Shard } from "./shard-router.js";

export interface RebalanceReport {
  /** Keys looked at on the old nodes. */
  scanned: number;
  /** Keys moved to their new owner. */
  moved: number;
  /** Keys the new owner already held (written after the switch): the newer copy was kept, the old one dropped. */
  keptNewer: number;
}

export interface RebalanceOptions {
  /** Keys per MIGRATE call; default 200. */
  batch?: number;
  /** MIGRATE timeout; default 5000 ms. */
  timeoutMs?: number;
}

/**
 * Moves every key whose owner under `ring` is not the node that holds it. MIGRATE copies to the
 * target and deletes the source only after the target stored the key, so a failure leaves the
 * key where it was. Without REPLACE: a key the target already has was written there after the
 * ring switched and is newer; the stale source copy is dropped.
 */
export async function rebalance(
  connection: string,
  holders: readonly Shard[],
  ring: KetamaRing,
  owners: ReadonlyMap<string, Shard>,
  options: RebalanceOptions = {},
): Promise<RebalanceReport> {
  const report: RebalanceReport = { scanned: 0, moved: 0, keptNewer: 0 };
  const batch = options.batch ?? 200;
  const timeoutMs = options.timeoutMs ?? 5_000;
  for (const holder of holders) {
    let cursor = "0";
    do {
      const [next, keys] = (await run(connection, holder, holder.client.call("scan", cursor, "COUNT", 1_000))) as [string, string[]];
      cursor = next;
      report.scanned += keys.length;
      const outgoing = new Map<Shard, string[]>();
      for (const key of keys) {
        const owner = owners.get(ring.nodeOf(key).id)!;
        if (owner === holder) continue;
        const list = outgoing.get(owner);
        if (list) list.push(key);
        else outgoing.set(owner, [key]);
      }
      for (const [target, moving] of outgoing) {
        for (let i = 0; i < moving.length; i += batch) {
          await migrate(connection, holder, target, moving.slice(i, i + batch), timeoutMs, report);
        }
      }
    } while (cursor !== "0");
  }
  return report;
}

async function migrate(
  connection: string,
  from: Shard,
  to: Shard,
  keys: string[],
  timeoutMs: number,
  report: RebalanceReport,
): Promise<void> {
  try {
    await from.client.call("migrate", to.node.host, to.node.port, "", to.client.options.db ?? 0, timeoutMs, ...authOf(to), "KEYS", ...keys);
    report.moved += keys.length;
    return;
  } catch {
    // Some key of the batch is already on the target; settle the batch key by key below.
  }
  for (const key of keys) {
    const outcome = await moveKey(connection, from, to, key, timeoutMs);
    if (outcome === "kept-newer") report.keptNewer++;
    else report.moved++; // "absent": moved by the batch before the failing key
  }
}

export type MoveOutcome = "moved" | "absent" | "kept-newer";

/**
 * Moves one key from its old owner to its new one. MIGRATE without REPLACE: when the target
 * already has the key, that copy was written after the ring switched and is newer, so the
 * old one is dropped.
 */
export async function moveKey(connection: string, from: Shard, to: Shard, key: string, timeoutMs: number): Promise<MoveOutcome> {
  try {
    const reply = await from.client.call("migrate", to.node.host, to.node.port, key, to.client.options.db ?? 0, timeoutMs, ...authOf(to));
    return reply === "NOKEY" ? "absent" : "moved";
  } catch (error) {
    if (replyCode(error) === undefined) throw toRuntimeError(error, connection, from.address);
    if ((await run(connection, to, to.client.exists(key))) === 1) {
      await run(connection, from, from.client.del(key));
      return "kept-newer";
    }
    throw new RedisRuntimeError("MIGRATION_FAILED", `connection "${connection}": cannot move ${JSON.stringify(key)} from ${from.address} to ${to.address}`, {
      cause: error,
    });
  }
}

/** MIGRATE logs in to the target as the target's own client does, into the same db. */
function authOf(to: Shard): string[] {
  const { username, password } = to.client.options;
  if (!password) return [];
  return username ? ["AUTH2", username, password] : ["AUTH", password];
}

function run<T>(connection: string, shard: { address: string }, reply: Promise<T>): Promise<T> {
  return reply.catch((error: unknown) => {
    throw toRuntimeError(error, connection, shard.address);
  });
}
