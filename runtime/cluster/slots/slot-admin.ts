// What a replica set does with slot admin entries (FREEZE, IMPORT, OWN, RELEASE), its slot table
// and the data that moves with a slot: the records of models on its raft connections and the
// remembered results of calls in the slot (so that a write retried after a move is answered, not
// run twice). Applied in log order on every replica, like calls.
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { SlotAdminEntry, SlotAdminKind, type SlotChunk, type SlotExportReply, type SlotExportRequest, type SlotTableReply } from "../../../generated/rony/slots.js";
import type { RaftStore } from "../../model/raft/raft-store.js";
import type { KeyValue } from "../../model/values.js";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import type { Sessions } from "../sessions.js";
import { slotOf } from "./slot-of.js";
import { SlotRanges } from "./slot-ranges.js";
import { SlotTable } from "./slot-table.js";

/** The first varint of a log entry: 1 is a call (call-entry.ts), this is a slot admin entry. */
export const SLOT_ADMIN_ENTRY_FORMAT = 2;
/** An export chunk holds at least one item, then stops at this many bytes unless asked for fewer. */
export const DEFAULT_CHUNK_BYTES = 512 * 1024;

export function encodeSlotAdminEntry(entry: SlotAdminEntry): Uint8Array {
  return new BinaryWriter().uint32(SLOT_ADMIN_ENTRY_FORMAT).bytes(SlotAdminEntry.encode(entry).finish()).finish();
}

/** The admin entry in a log entry's bytes, or undefined when they hold a call. */
export function slotAdminEntryOf(data: Uint8Array): SlotAdminEntry | undefined {
  const r = new BinaryReader(data);
  if (r.uint32() !== SLOT_ADMIN_ENTRY_FORMAT) return undefined;
  return SlotAdminEntry.decode(r.bytes());
}

type ExportItem = SlotChunk["records"][number] | SlotChunk["sessions"][number];

export class SlotAdmin {
  readonly table: SlotTable;
  #exported: { readonly key: string; readonly items: ExportItem[] } | undefined = undefined;

  constructor(
    replicaSet: number,
    initial: SlotRanges,
    readonly stores: ReadonlyMap<string, RaftStore>,
    readonly sessions: Sessions,
  ) {
    this.table = new SlotTable(replicaSet, initial);
    // A write to a record in a slot not served here would be lost by the slot's move: refuse it.
    for (const store of stores.values()) {
      store.guardSlots((value) => {
        const refusal = this.table.refusal(slotOf(value));
        if (refusal !== undefined) throw refusal;
      });
    }
  }

  /** Applies one entry; throws a typed error (the same on every replica) when it may not. */
  async apply(entry: SlotAdminEntry): Promise<SlotTableReply> {
    this.forgetExport();
    const slots = SlotRanges.parse(entry.slots);
    const inSlots = (slot: number): boolean => slots.has(slot);
    const recordInSlots = (value: KeyValue): boolean => slots.has(slotOf(value));
    switch (entry.kind) {
      case SlotAdminKind.SLOT_FREEZE:
        this.table.freeze(slots, entry.peer);
        break;
      case SlotAdminKind.SLOT_IMPORT: {
        this.table.checkImport(slots);
        const chunk = entry.chunk ?? { records: [], sessions: [] };
        for (const record of chunk.records) this.#store(record.store);
        if (entry.clear) {
          for (const store of this.stores.values()) await store.deleteWhere(recordInSlots);
          this.sessions.dropSlots(inSlots);
        }
        for (const record of chunk.records) await this.#store(record.store).putMoved(record.model, record.record);
        for (const s of chunk.sessions) {
          if (!slots.has(s.slot)) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `a session result of slot ${s.slot} is not in the imported slots ${entry.slots}`);
          this.sessions.remember(s.client, s.seq, { ok: s.ok, bytes: s.result, slot: s.slot }, s.timeMs);
        }
        break;
      }
      case SlotAdminKind.SLOT_OWN:
        this.table.own(slots, entry.epoch);
        break;
      case SlotAdminKind.SLOT_RELEASE:
        this.table.release(slots, entry.peer, entry.epoch);
        for (const store of this.stores.values()) await store.deleteWhere(recordInSlots);
        this.sessions.dropSlots(inSlots);
        break;
      default:
        throw new RonyError(ErrorCode.INVALID_ARGUMENT, `slot admin entry kind ${entry.kind} is not known to this node`);
    }
    return this.reply(0);
  }

  /**
   * A chunk of the data of `slots`, which must all be frozen here (so it no longer changes): the
   * records first, then the session results, from the `cursor`-th item.
   */
  export(request: SlotExportRequest): SlotExportReply {
    const slots = SlotRanges.parse(request.slots);
    const moving = SlotRanges.parse(this.table.state().moving);
    if (slots.isEmpty || !moving.covers(slots)) {
      throw new RonyError(ErrorCode.FAILED_PRECONDITION, `slots ${slots.minus(moving).toString() || "(none)"} are not frozen for a move on replica set ${this.table.replicaSet}: freeze them first`, "slots");
    }
    const items = this.#exportItems(slots, request.cursor);
    const maxBytes = request.maxBytes > 0 ? request.maxBytes : DEFAULT_CHUNK_BYTES;
    const chunk: SlotChunk = { records: [], sessions: [] };
    let bytes = 0;
    for (let position = request.cursor; position < items.length; position++) {
      if (bytes >= maxBytes) return { chunk, nextCursor: position };
      const item = items[position]!;
      if ("record" in item) {
        chunk.records.push(item);
        bytes += item.record.length + item.model.length + item.store.length + 8;
      } else {
        chunk.sessions.push(item);
        bytes += item.result.length + item.client.length + 32;
      }
    }
    return { chunk, nextCursor: 0 };
  }

  /**
   * What an export of `slots` hands over, records first, then session results: listed once per
   * move and kept for its next chunks (frozen slots do not change), so that a chunk costs its own
   * size, not a rescan of the replica set. Listed again from cursor 0, for other slots, and after
   * any admin entry or snapshot install (forgetExport: the only ways the slot table changes).
   */
  #exportItems(slots: SlotRanges, cursor: number): ExportItem[] {
    const key = slots.toString();
    if (cursor !== 0 && this.#exported?.key === key) return this.#exported.items;
    const items: ExportItem[] = [];
    for (const store of this.stores.values()) {
      for (const { model, bytes } of store.recordsWhere((value) => slots.has(slotOf(value)))) items.push({ store: store.name, model, record: bytes });
    }
    for (const { client, seq, result, lastMs } of this.sessions.inSlots((slot) => slots.has(slot))) {
      items.push({ client, seq, ok: result.ok, result: result.bytes, slot: result.slot, timeMs: lastMs });
    }
    this.#exported = { key, items };
    return items;
  }

  /** Drops the listed export: the data it was made from may have changed. */
  forgetExport(): void {
    this.#exported = undefined;
  }

  reply(leader: number): SlotTableReply {
    const state = this.table.state();
    return {
      replicaSet: this.table.replicaSet,
      leader,
      epoch: state.epoch,
      owned: state.owned,
      moving: state.moving,
      runs: this.table.runs().map((run) => ({ slots: run.slots.toString(), state: run.state, peer: run.peer, epoch: run.epoch })),
    };
  }

  #store(name: string): RaftStore {
    const store = this.stores.get(name);
    if (store === undefined) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `raft connection "${name}" is not opened on replica set ${this.table.replicaSet}: its records would have nowhere to go`);
    return store;
  }
}
