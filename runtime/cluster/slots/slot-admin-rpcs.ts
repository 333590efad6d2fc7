// The slot admin rpcs a mover calls over the tunnel (internal: the edge refuses them to clients).
// A replica set's leader serves them — it proposes the changes and answers reads after ReadIndex —
// and a follower passes them on to its leader, so a mover may call any member.
import { SlotAdminEntry, SlotExportReply, SlotExportRequest, SlotTableReply, SlotTableRequest } from "../../../generated/rony/slots.js";
import type { EdgeContext, EdgeServer } from "../../edge/index.js";
import { isRaftError } from "../../raft/core/index.js";
import type { RaftNode } from "../../raft/node/raft-node.js";
import { ErrorCode, RonyError, type MethodDescriptor, type MessageCodec, type Transport } from "../../rpc/index.js";
import type { AppliedCall } from "../call-state-machine.js";
import { encodeSlotAdminEntry, type SlotAdmin } from "./slot-admin.js";

const SERVICE = "rony.SlotAdmin";
const HOPS_HEADER = "rony-hops";
const MAX_HOPS = 3;

function method<I, O>(name: string, constructorId: number, input: MessageCodec<I>, output: MessageCodec<O>, outputConstructorId: number, readOnly: boolean): MethodDescriptor<I, O> {
  return { service: SERVICE, name, constructorId, input, output, outputConstructorId, internal: true, readOnly, followerOk: false, replication: "none", timeoutMs: 0, pattern: "", http: undefined };
}

// Constructor ids are the compiler's FNV-1a of the names (test/cluster/slot-admin-ids.test.ts).
const TABLE_REPLY_ID = 0x93e6a0c7;
const EXPORT_REPLY_ID = 0x53719bf3;

/** The slot admin rpcs. */
export const SlotAdminMethods = {
  /** The replica set's slot table, as its leader applied it. */
  table: method("Table", 0x16c7ce48, SlotTableRequest, SlotTableReply, TABLE_REPLY_ID, true),
  /** Proposes one slot-table change (FREEZE, IMPORT, OWN, RELEASE); answers the table after it. */
  change: method("Change", 0xb2d79244, SlotAdminEntry, SlotTableReply, TABLE_REPLY_ID, false),
  /** A chunk of frozen slots' data. */
  export: method("Export", 0xe2e0c582, SlotExportRequest, SlotExportReply, EXPORT_REPLY_ID, true),
} as const;

/** What the rpcs need of a replica node (raft is read per call: it exists once the node started). */
export interface SlotAdminHost {
  raft(): RaftNode;
  readonly admin: SlotAdmin;
  readonly callTimeoutMs: number;
  /** The tunnel to a member of this replica set. */
  tunnel(id: number): Transport;
}

export function serveSlotAdmin(edge: EdgeServer, host: SlotAdminHost): void {
  const { admin, callTimeoutMs } = host;
  const onLeader = <I, O>(m: MethodDescriptor<I, O>, run: () => Promise<O>) => async (input: I, ctx: EdgeContext): Promise<O> => {
    const raft = host.raft();
    if (raft.isLeader()) {
      try {
        return await run();
      } catch (e) {
        if (!isRaftError(e, "NOT_LEADER")) throw e;
      }
    }
    const hops = Number(ctx.headers[HOPS_HEADER] ?? 0) || 0;
    if (hops >= MAX_HOPS) throw new RonyError(ErrorCode.UNAVAILABLE, `${SERVICE}.${m.name} was passed on ${hops} times without reaching a leader; retry later`);
    let leader = raft.leader();
    if (leader === 0 || leader === raft.status().id) leader = await raft.waitForLeader(callTimeoutMs).catch((e: unknown) => {
      throw new RonyError(ErrorCode.UNAVAILABLE, `replica set has no leader (${(e as Error).message})`);
    });
    if (leader === raft.status().id) return run();
    return host.tunnel(leader).call(m, input, { headers: { [HOPS_HEADER]: String(hops + 1) }, timeoutMs: callTimeoutMs });
  };
  const confirmedRead = async (): Promise<void> => {
    await host.raft().linearizableRead(callTimeoutMs);
  };

  edge.add(SlotAdminMethods.table, (input, ctx) =>
    onLeader(SlotAdminMethods.table, async () => {
      await confirmedRead();
      return admin.reply(host.raft().status().id);
    })(input, ctx),
  );
  edge.add(SlotAdminMethods.export, (input, ctx) =>
    onLeader(SlotAdminMethods.export, async () => {
      await confirmedRead();
      return admin.export(input);
    })(input, ctx),
  );
  edge.add(SlotAdminMethods.change, (input, ctx) =>
    onLeader(SlotAdminMethods.change, async () => {
      const applied = (await withDeadline(host.raft().propose(encodeSlotAdminEntry(input)), callTimeoutMs)) as AppliedCall;
      if (!applied.ok) throw applied.error;
      return { ...(applied.output as SlotTableReply), leader: host.raft().status().id };
    })(input, ctx),
  );
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RonyError(ErrorCode.UNAVAILABLE, `the slot table change has no outcome within ${ms} ms; it is safe to send again`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
