// Structured logs on pino: one line per failed call (code and rpc), WebSocket connections at
// debug, Raft role changes and Redis replica up/down. Each piece is switched on by the operator;
// with none of them the edge logs nothing and runs no extra code per call.
import type { Logger } from "pino";
import type { EdgeConnection, EdgeContext, EdgeHooks, EdgeServer } from "../edge/index.js";
import type { LeaderChange, RaftNode } from "../raft/node/raft-node.js";
import type { RedisHa } from "../redis/ha/redis-ha.js";
import { ErrorCode, httpStatusOf } from "../rpc/index.js";

export type { Logger };

/**
 * One line per call that ended in an error: `code`, `method`, `via`, the error's description and
 * items; a handler's own exception (which the caller sees as INTERNAL) comes with its stack on
 * the same line. The caller's mistakes (4xx codes) are `warn`, the server's (5xx) `error`.
 */
export function logErrors<Auth>(server: EdgeServer<Auth>, logger: Logger): void {
  const thrown = new WeakMap<object, unknown>();
  server.dispatcher.onError = (error, ctx) => thrown.set(ctx, error);
  server.use({
    name: "error-log",
    after(ctx: EdgeContext<Auth>) {
      const error = ctx.error;
      if (error === undefined) return;
      const line = {
        code: ErrorCode[error.code] ?? String(error.code),
        method: `${ctx.method.service}.${ctx.method.name}`,
        via: ctx.via,
        items: error.items,
        ...(thrown.has(ctx) ? { err: thrown.get(ctx) } : {}),
      };
      if (httpStatusOf(error.code) >= 500) logger.error(line, error.description);
      else logger.warn(line, error.description);
    },
  });
}

/** Edge hooks that log each WebSocket open and close at debug, then run `hooks` (the application's own). */
export function logConnections<Auth>(logger: Logger, hooks: EdgeHooks<Auth> = {}): EdgeHooks<Auth> {
  return {
    onOpen(conn: EdgeConnection<Auth>) {
      logger.debug({ connection: conn.id, remote: conn.remoteAddress }, "connection open");
      return hooks.onOpen?.(conn);
    },
    onClose(conn: EdgeConnection<Auth>, code: number, reason: string) {
      logger.debug({ connection: conn.id, remote: conn.remoteAddress, code, reason }, "connection closed");
      hooks.onClose?.(conn, code, reason);
    },
  };
}

/** Logs each change of the node's Raft role or known leader at info. Returns the unsubscribe. */
export function logRaft(node: RaftNode, logger: Logger): () => void {
  return node.onLeaderChange((c: LeaderChange) => logger.info({ raftNode: node.id, role: c.role, term: c.term, leader: c.leaderId }, `raft: ${c.role} in term ${c.term}`));
}

/** Logs a redis_ha replica going down (warn, with the last error) and coming back (info). Returns the unsubscribe. */
export function logRedisHa(ha: RedisHa, logger: Logger): () => void {
  return ha.onReplicaChange((r) => {
    if (r.up) logger.info({ connection: ha.name, replica: r.address }, "redis replica up");
    else logger.warn({ connection: ha.name, replica: r.address, lastError: r.lastError }, "redis replica down");
  });
}
