// The replica set's state machine: each committed entry is one call of a replicated rpc, run on
// every replica in log order against the replicated stores (the "raft" connections). Handlers
// run one at a time — the Raft node awaits each before applying the next — and read-only calls
// wait for the write in progress, so a handler never sees another's half-done writes. Entries of
// another kind change the slot table (slots/slot-admin.ts); a sharded call for a slot this replica
// set does not serve is refused in log order, before its handler, and not remembered.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import type { RaftStore } from "../model/raft/raft-store.js";
import type { StateMachine } from "../raft/node/raft-node.js";
import { ErrorCode, RonyError, asRonyError, decodeRpcError, encodeRpcError, type AnyMethod, type Handler } from "../rpc/index.js";
import { decodeCallEntry, type CallEntry } from "./call-entry.js";
import { ReplicatedContext, entryClock, localClock } from "./replicated-context.js";
import { SESSION_WINDOW, Sessions, type StoredResult } from "./sessions.js";
import { SlotAdmin, slotAdminEntryOf } from "./slots/slot-admin.js";
import { slotOf } from "./slots/slot-of.js";
import { SlotRanges } from "./slots/slot-ranges.js";

/** 2: sessions tag results with their slot, and the slot table follows them. 1 is still read. */
const SNAPSHOT_FORMAT = 2;

/** The outcome of one replicated call: what the proposing node answers its caller with. */
export type AppliedCall = { readonly ok: true; readonly output: unknown } | { readonly ok: false; readonly error: RonyError };

interface ReplicatedRoute {
  readonly method: AnyMethod;
  readonly handler: Handler<unknown, unknown, ReplicatedContext>;
}

export class CallStateMachine implements StateMachine {
  readonly sessions = new Sessions();
  readonly #routes = new Map<number, ReplicatedRoute>();
  readonly #stores: ReadonlyMap<string, RaftStore>;
  readonly #gate = new ApplyGate();

  readonly slots: SlotAdmin;

  /** `slots`: the slots this replica set owns when it is new (its bootstrap slot table). */
  constructor(stores: readonly RaftStore[], replicaSet = 1, slots = SlotRanges.ALL) {
    this.#stores = new Map(stores.map((s) => [s.name, s]));
    for (const store of stores) store.attach();
    this.slots = new SlotAdmin(replicaSet, slots, this.#stores, this.sessions);
  }

  add(method: AnyMethod, handler: Handler<unknown, unknown, ReplicatedContext>): void {
    if (this.#routes.has(method.constructorId)) throw new Error(`${method.service}.${method.name} is registered twice`);
    if (method.replication === "sharded" && method.shardKey === undefined) throw new Error(`${method.service}.${method.name} is sharded but its descriptor has no shardKey (regenerate it)`);
    this.#routes.set(method.constructorId, { method, handler });
  }

  apply(index: number, data: Uint8Array): AppliedCall | Promise<AppliedCall> {
    let call: CallEntry;
    try {
      const admin = slotAdminEntryOf(data);
      if (admin !== undefined) {
        return this.#gate.write(() => this.slots.apply(admin)).then(
          (output): AppliedCall => ({ ok: true, output }),
          (e: unknown): AppliedCall => ({ ok: false, error: asRonyError(e, ErrorCode.INTERNAL, `slot admin entry ${index} failed`) }),
        );
      }
      call = decodeCallEntry(data);
    } catch (e) {
      return failed(ErrorCode.INTERNAL, `log entry ${index} is not a call: ${(e as Error).message}`);
    }
    this.sessions.expire(call.timeMs, (slot) => this.slots.table.isMoving(slot));
    if (call.client !== "") {
      const seen = this.sessions.lookup(call.client, call.seq);
      if (seen === "forgotten") {
        return failed(ErrorCode.FAILED_PRECONDITION, `call ${call.seq} is older than its session's last ${SESSION_WINDOW} calls; its outcome is no longer known`);
      }
      if (seen !== undefined) return this.#replay(call.constructorId, seen);
    }
    const route = this.#routes.get(call.constructorId);
    if (route === undefined) {
      // Every replica registers the same replicated services, so every replica answers the same.
      return this.#finish(call, undefined, failed(ErrorCode.UNIMPLEMENTED, `no replicated rpc 0x${call.constructorId.toString(16).padStart(8, "0")} on this replica set`));
    }
    let input: unknown;
    try {
      input = route.method.input.decode(call.payload);
    } catch {
      return this.#finish(call, route, failed(ErrorCode.INVALID_ARGUMENT, `payload is not a valid ${route.method.name} input`));
    }
    const slot = this.#slotOf(route.method, input);
    if (slot >= 0) {
      const refusal = this.slots.table.refusal(slot);
      // Not remembered: the call did not run, and its retry (same seq) must run at the owner.
      if (refusal !== undefined) return { ok: false, error: refusal };
    }
    const ctx = new ReplicatedContext(route.method, call.headers, index, entryClock(call.timeMs, call.seed));
    return this.#gate.write(async () => {
      this.#setWritable(true);
      try {
        return this.#finish(call, route, { ok: true, output: await route.handler(input, ctx) }, slot);
      } catch (e) {
        return this.#finish(call, route, { ok: false, error: this.#typed(e, route.method) }, slot);
      } finally {
        this.#setWritable(false);
      }
    });
  }

  /** Runs a read-only rpc on this replica's state, between writes. */
  read(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, appliedIndex: number): Promise<unknown> {
    const route = this.#routes.get(method.constructorId);
    if (route === undefined) return Promise.reject(new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} is not replicated here`));
    // the registered descriptor: a caller (leaderTransport) may hold one without the shard key
    const slot = this.#slotOf(route.method, input);
    const refusal = slot < 0 ? undefined : this.slots.table.refusal(slot);
    if (refusal !== undefined) return Promise.reject(refusal);
    const ctx = new ReplicatedContext(method, headers, appliedIndex, localClock);
    return this.#gate.read(async () => route.handler(input, ctx)).catch((e: unknown) => {
      throw this.#typed(e, method);
    });
  }

  snapshot(): Uint8Array {
    const w = new BinaryWriter();
    w.uint32(SNAPSHOT_FORMAT);
    this.sessions.encode(w);
    this.slots.table.encode(w);
    w.uint32(this.#stores.size);
    for (const [name, store] of this.#stores) {
      w.string(name);
      store.snapshot(w);
    }
    return w.finish();
  }

  restore(data: Uint8Array): void {
    this.slots.forgetExport();
    if (data.length === 0) {
      this.sessions.restore(new BinaryReader(emptySessions()));
      this.slots.table.reset();
      for (const store of this.#stores.values()) store.restore(undefined);
      return;
    }
    const r = new BinaryReader(data);
    const format = r.uint32();
    if (format !== SNAPSHOT_FORMAT && format !== 1) throw new Error(`replica snapshot format ${format} is not known to this node (it knows 1 and ${SNAPSHOT_FORMAT})`);
    this.sessions.restore(r, format >= 2);
    if (format >= 2) this.slots.table.restore(r);
    else this.slots.table.reset();
    const seen = new Set<string>();
    for (let n = r.uint32(); n > 0; n--) {
      const name = r.string();
      const store = this.#stores.get(name);
      if (store === undefined) throw new Error(`the replica snapshot holds raft connection "${name}", which this node does not open: its records would be lost`);
      store.restore(r);
      seen.add(name);
    }
    for (const [name, store] of this.#stores) if (!seen.has(name)) store.restore(undefined);
  }

  #setWritable(on: boolean): void {
    for (const store of this.#stores.values()) store.setWritable(on);
  }

  #typed(thrown: unknown, method: AnyMethod): RonyError {
    if (!(thrown instanceof RonyError)) console.error(`rony-ts: replicated ${method.service}.${method.name} threw`, thrown);
    return asRonyError(thrown, ErrorCode.INTERNAL, `${method.service}.${method.name} failed`);
  }

  /** The slot of a sharded call; -1 for others. */
  #slotOf(method: AnyMethod, input: unknown): number {
    return method.replication === "sharded" ? slotOf(method.shardKey!(input)) : -1;
  }

  /** Remembers the outcome in the caller's session (tagged with the call's slot), then hands it back. */
  #finish(call: CallEntry, route: ReplicatedRoute | undefined, result: AppliedCall, slot = -1): AppliedCall {
    if (call.client === "") return result;
    let stored: StoredResult;
    if (result.ok) {
      try {
        stored = { ok: true, bytes: route!.method.output.encode(result.output).finish(), slot };
      } catch {
        const error = new RonyError(ErrorCode.INTERNAL, `${route!.method.name} returned an output that does not encode`);
        result = { ok: false, error };
        stored = { ok: false, bytes: encodeRpcError(error), slot };
      }
    } else {
      stored = { ok: false, bytes: encodeRpcError(result.error), slot };
    }
    this.sessions.remember(call.client, call.seq, stored, call.timeMs);
    return result;
  }

  #replay(constructorId: number, stored: StoredResult): AppliedCall {
    if (!stored.ok) return { ok: false, error: decodeRpcError(stored.bytes) };
    const route = this.#routes.get(constructorId);
    if (route === undefined) return failed(ErrorCode.UNIMPLEMENTED, `no replicated rpc 0x${constructorId.toString(16)} on this replica set`);
    return { ok: true, output: route.method.output.decode(stored.bytes) };
  }
}

function failed(code: ErrorCode, description: string): AppliedCall {
  return { ok: false, error: new RonyError(code, description) };
}

function emptySessions(): Uint8Array {
  const w = new BinaryWriter();
  new Sessions().encode(w);
  return w.finish();
}

/** One write at a time (the Raft node already serializes them), reads between writes. */
class ApplyGate {
  #readers = 0;
  /** Set from the moment a write wants in until it is done; reads arriving meanwhile wait. */
  #writing: Promise<void> | undefined;
  #readersGone: (() => void) | undefined;

  async write<T>(f: () => Promise<T>): Promise<T> {
    let done!: () => void;
    this.#writing = new Promise<void>((resolve) => (done = resolve));
    try {
      if (this.#readers > 0) await new Promise<void>((resolve) => (this.#readersGone = resolve));
      return await f();
    } finally {
      this.#writing = undefined;
      done();
    }
  }

  async read<T>(f: () => Promise<T>): Promise<T> {
    while (this.#writing !== undefined) await this.#writing;
    this.#readers++;
    try {
      return await f();
    } finally {
      if (--this.#readers === 0 && this.#readersGone !== undefined) {
        const wake = this.#readersGone;
        this.#readersGone = undefined;
        wake();
      }
    }
  }
}
