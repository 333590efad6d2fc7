// The slot mover: moves slots from the replica sets that own them to another, while clients keep
// calling (docs/cluster.md, "Moving slots"). Per giving set A and receiving set B:
//   1. A logs FREEZE(S→B): calls for S are answered "moving" (retry shortly); its data stops changing;
//   2. the mover reads A's records and session results in S, in chunks;
//   3. B logs IMPORT chunks (the first clears S there, so a rerun starts clean), then OWN(S, E);
//   4. A logs RELEASE(S→B, E): deletes the data and answers MOVED for S from then on.
// E is one more than the highest slot epoch any replica set applied. Every step is a no-op when
// repeated, so a crashed move is finished by running it again. One mover at a time.
import type { WebSocketTransport } from "../../client/ws-transport.js";
import { SlotAdminKind, type SlotAdminEntry, type SlotTableReply } from "../../../generated/rony/slots.js";
import { ErrorCode, RonyError, type MethodDescriptor } from "../../rpc/index.js";
import { openTunnel } from "../tunnel-client.js";
import { DEFAULT_CHUNK_BYTES } from "./slot-admin.js";
import { SlotAdminMethods } from "./slot-admin-rpcs.js";
import { SlotRanges } from "./slot-ranges.js";

/** A node the mover may call: any member of a replica set (followers pass calls to their leader). */
export interface MoverNode {
  /** Cluster-wide id, "<replicaSet>:<raftId>". */
  readonly id: string;
  readonly replicaSet: number;
  /** Its tunnel (the edge's port). */
  readonly host: string;
  readonly port: number;
}

export interface MoverOptions {
  /** The cluster secret: the mover opens tunnels like a node. */
  readonly secret: string;
  /** Members of every replica set of the cluster (at least one per set). */
  readonly nodes: readonly MoverNode[];
  /** The mover's name in tunnel tokens; default "mover". */
  readonly name?: string;
  /** Deadline of one admin call, default 15 s; a set that does not answer is tried on its other members. */
  readonly timeoutMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export interface MoveOptions extends MoverOptions {
  /** The receiving replica set. */
  readonly to: number;
  readonly slots: SlotRanges;
  /** Size of an IMPORT chunk (below the receiving set's Raft entry limit); default 512 KiB. */
  readonly chunkBytes?: number;
}

export interface MoveReport {
  readonly epoch: number;
  /** What each giving set handed over; empty when the slots were already at `to`. */
  readonly moved: readonly { readonly from: number; readonly slots: string; readonly records: number; readonly sessionResults: number }[];
}

/** Every replica set's slot table, as its leader applied it, by replica set. */
export async function slotTables(options: MoverOptions): Promise<Map<number, SlotTableReply>> {
  const sets = new AdminSets(options);
  try {
    return await sets.tables();
  } finally {
    sets.close();
  }
}

export async function moveSlots(options: MoveOptions): Promise<MoveReport> {
  const log = options.log ?? (() => {});
  if (options.slots.isEmpty) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "no slots to move", "slots");
  const sets = new AdminSets(options);
  try {
    const tables = await sets.tables();
    const target = tables.get(options.to);
    if (target === undefined) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `replica set ${options.to} is not among the nodes given`);
    const slots = options.slots;
    const epoch = Math.max(...[...tables.values()].map((t) => t.epoch)) + 1;
    const targetOwned = SlotRanges.parse(target.owned);
    const targetMoving = SlotRanges.parse(target.moving).intersect(slots);
    if (!targetMoving.isEmpty) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `slots ${targetMoving.toString()} are moving away from replica set ${options.to}: finish that move first`, "slots");

    const plan: { from: number; part: SlotRanges }[] = [];
    let covered = targetOwned.intersect(slots);
    for (const [set, table] of tables) {
      if (set === options.to) continue;
      let part = SlotRanges.parse(table.owned).intersect(slots);
      for (const run of table.runs) {
        const inMove = SlotRanges.parse(run.slots).intersect(slots);
        if (run.state !== "moving" || inMove.isEmpty) continue;
        if (run.peer !== options.to) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `slots ${inMove.toString()} of replica set ${set} are moving to replica set ${run.peer}: rerun that move first`, "slots");
        part = part.union(inMove);
      }
      const both = part.intersect(targetOwned).minus(SlotRanges.parse(table.moving));
      if (!both.isEmpty) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `slots ${both.toString()} are served by replica sets ${set} and ${options.to} at once`, "slots");
      if (!part.isEmpty) plan.push({ from: set, part });
      covered = covered.union(part);
    }
    const orphan = slots.minus(covered);
    if (!orphan.isEmpty) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `slots ${orphan.toString()} are served by no replica set given`, "slots");

    const moved: { from: number; slots: string; records: number; sessionResults: number }[] = [];
    for (const { from, part } of plan) {
      const text = part.toString();
      const entry = (kind: SlotAdminKind, fields: Partial<SlotAdminEntry> = {}): SlotAdminEntry => ({ kind, slots: text, peer: 0, epoch: 0, clear: false, chunk: undefined, ...fields });
      log(`freezing ${text} on replica set ${from}`);
      await sets.call(from, SlotAdminMethods.change, entry(SlotAdminKind.SLOT_FREEZE, { peer: options.to }));
      // Slots the target already serves got this far in an earlier run: only the release is left.
      const toCopy = part.minus(targetOwned).toString();
      let records = 0;
      let sessionResults = 0;
      if (toCopy !== "") {
        let cursor = 0;
        let first = true;
        do {
          const reply = await sets.call(from, SlotAdminMethods.export, { slots: toCopy, cursor, maxBytes: options.chunkBytes ?? DEFAULT_CHUNK_BYTES });
          const chunk = reply.chunk ?? { records: [], sessions: [] };
          await sets.call(options.to, SlotAdminMethods.change, { ...entry(SlotAdminKind.SLOT_IMPORT, { peer: from, clear: first, chunk }), slots: toCopy });
          records += chunk.records.length;
          sessionResults += chunk.sessions.length;
          first = false;
          cursor = reply.nextCursor;
        } while (cursor !== 0);
        log(`copied ${records} records and ${sessionResults} session results of ${toCopy} to replica set ${options.to}`);
        await sets.call(options.to, SlotAdminMethods.change, { ...entry(SlotAdminKind.SLOT_OWN, { epoch }), slots: toCopy });
      }
      await sets.call(from, SlotAdminMethods.change, entry(SlotAdminKind.SLOT_RELEASE, { peer: options.to, epoch }));
      log(`released ${text} on replica set ${from}: replica set ${options.to} serves it at epoch ${epoch}`);
      moved.push({ from, slots: text, records, sessionResults });
    }
    return { epoch, moved };
  } finally {
    sets.close();
  }
}

/** Tunnels to the members of each replica set; a call goes to one member, then the next on failure. */
class AdminSets {
  readonly #members = new Map<number, MoverNode[]>();
  readonly #tunnels = new Map<string, WebSocketTransport>();
  /** Per replica set, the index of the member that answered last. */
  readonly #answered = new Map<number, number>();
  readonly #timeoutMs: number;

  constructor(readonly options: MoverOptions) {
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    for (const node of options.nodes) {
      let members = this.#members.get(node.replicaSet);
      if (members === undefined) this.#members.set(node.replicaSet, (members = []));
      members.push(node);
    }
    if (this.#members.size === 0) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "no nodes given: the mover needs a member of every replica set");
  }

  async tables(): Promise<Map<number, SlotTableReply>> {
    const tables = new Map<number, SlotTableReply>();
    for (const set of [...this.#members.keys()].sort((a, b) => a - b)) tables.set(set, await this.call(set, SlotAdminMethods.table, {}));
    return tables;
  }

  /** Calls a member of `set`; on a failure that says nothing ran wrong (unreachable, no leader), the next one. */
  async call<I, O>(set: number, method: MethodDescriptor<I, O>, input: I): Promise<O> {
    const members = this.#members.get(set);
    if (members === undefined) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `no node of replica set ${set} was given`);
    const deadline = Date.now() + 4 * this.#timeoutMs;
    // The member that answered last goes first: a dead one would cost every call its deadline.
    const first = this.#answered.get(set) ?? 0;
    let last: unknown;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      const index = (first + attempt) % members.length;
      const node = members[index]!;
      try {
        const output = await this.#tunnel(node).call(method, input, { timeoutMs: this.#timeoutMs });
        this.#answered.set(set, index);
        return output;
      } catch (e) {
        if (!retryable(e)) throw e;
        last = e;
        this.#drop(node);
        if (attempt % members.length === members.length - 1) await new Promise((r) => setTimeout(r, 200));
      }
    }
    throw new RonyError(ErrorCode.UNAVAILABLE, `replica set ${set} did not answer ${method.name} (${(last as Error | undefined)?.message ?? "no member reachable"}); run the move again to finish it`);
  }

  close(): void {
    for (const t of this.#tunnels.values()) t.close();
    this.#tunnels.clear();
  }

  #tunnel(node: MoverNode): WebSocketTransport {
    let tunnel = this.#tunnels.get(node.id);
    if (tunnel === undefined) {
      tunnel = openTunnel({ secret: this.options.secret, from: this.options.name ?? "mover", to: node.id, host: node.host, port: node.port, timeoutMs: this.#timeoutMs });
      this.#tunnels.set(node.id, tunnel);
    }
    return tunnel;
  }

  #drop(node: MoverNode): void {
    this.#tunnels.get(node.id)?.close();
    this.#tunnels.delete(node.id);
  }
}

/** Failures after which calling again (another member, later) is safe: every admin step is idempotent. */
function retryable(e: unknown): boolean {
  return RonyError.is(e, ErrorCode.UNAVAILABLE) || RonyError.is(e, ErrorCode.DEADLINE_EXCEEDED) || RonyError.is(e, ErrorCode.CANCELLED) || !(e instanceof RonyError);
}
