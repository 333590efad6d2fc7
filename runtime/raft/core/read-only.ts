// ReadIndex (Raft thesis §6.4): a read is served at the commit index the leader had when it was
// asked, once a quorum confirmed by heartbeat that it was still the leader at that moment.
import type { Message } from "./types.js";

export interface ReadIndexStatus {
  req: Message;
  index: number;
  acks: Set<number>;
}

const key = (ctx: Uint8Array): string => String.fromCharCode(...ctx);

export class ReadOnly {
  private pending = new Map<string, ReadIndexStatus>();
  private queue: string[] = [];

  addRequest(index: number, req: Message): void {
    const k = key(req.entries[0]!.data);
    if (this.pending.has(k)) return;
    this.pending.set(k, { req, index, acks: new Set() });
    this.queue.push(k);
  }

  /** Records a heartbeat ack carrying ctx; returns the acks so far, undefined if unknown. */
  recvAck(id: number, ctx: Uint8Array): Set<number> | undefined {
    const rs = this.pending.get(key(ctx));
    if (!rs) return undefined;
    rs.acks.add(id);
    return rs.acks;
  }

  /** Releases the request with ctx and every older one: a quorum ack of a later heartbeat covers them. */
  advance(ctx: Uint8Array): ReadIndexStatus[] {
    const k = key(ctx);
    const i = this.queue.indexOf(k);
    if (i < 0) return [];
    const done = this.queue.splice(0, i + 1);
    return done.map((d) => {
      const rs = this.pending.get(d)!;
      this.pending.delete(d);
      return rs;
    });
  }

  lastPendingRequestCtx(): Uint8Array | undefined {
    const k = this.queue[this.queue.length - 1];
    return k === undefined ? undefined : this.pending.get(k)!.req.entries[0]!.data;
  }
}
