// Slot moves at the level of the replica state machine, without Raft: two replica sets' machines
// fed the entries their leaders would log. The slot table refuses calls in log order, the data of
// frozen slots moves by chunks, a retried write is answered from the moved session, and every
// step is refused when out of order and harmless when rerun.
import { describe, expect, it } from "vitest";
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { ErrorCode, RaftStore, RonyError, withModels, type Handler, type HandlerRegistry } from "rony-ts/runtime";
import { CallStateMachine, SlotElsewhereError, slotOf, type AppliedCall, type ReplicatedContext } from "rony-ts/runtime/cluster";
import { SlotAdminKind, type SlotAdminEntry } from "../../generated/rony/slots.js";
import { encodeCallEntry } from "../../runtime/cluster/call-entry.js";
import { encodeSlotAdminEntry } from "../../runtime/cluster/slots/slot-admin.js";
import { SlotRanges } from "../../runtime/cluster/slots/slot-ranges.js";
import { createNotesModels, type NotesModels } from "../../generated/examples/notes.models.js";
import { NotesService, registerNotes } from "../../generated/examples/notes.rony.js";
import type { CreateNoteRequest, Note } from "../../generated/examples/notes.js";
import { ModelNotesService } from "../../demo/notes-models-service.js";
import { shardedByNotebook, shardedMethod } from "./sharded-notes.js";

interface Replica {
  readonly machine: CallStateMachine;
  readonly models: NotesModels;
  index: number;
}

function replica(replicaSet: number, slots: SlotRanges, sharded = true): Replica {
  const store = new RaftStore("main");
  const models = createNotesModels({ main: store });
  const machine = new CallStateMachine([store], replicaSet, slots);
  const registry: HandlerRegistry<ReplicatedContext> = {
    add: (method, handler) => machine.add(method, handler as Handler<unknown, unknown, ReplicatedContext>),
    addStream: (method) => {
      throw new Error(`${method.name}: no streams here`);
    },
  };
  registerNotes(withModels(sharded ? shardedByNotebook(registry) : registry, models), new ModelNotesService());
  return { machine, models, index: 0 };
}

const create = shardedMethod(NotesService.methods.create);
const note = (notebook: string, slug: string): CreateNoteRequest => ({ notebook, slug, title: slug, body: "", tags: [] });

async function call(r: Replica, input: CreateNoteRequest, client = "", seq = 0): Promise<AppliedCall> {
  const entry = encodeCallEntry({ constructorId: create.constructorId, payload: create.input.encode(input).finish(), client, seq, timeMs: 1_000_000 + r.index, seed: 7, headers: {} });
  return r.machine.apply(++r.index, entry);
}

async function admin(r: Replica, entry: Partial<SlotAdminEntry> & Pick<SlotAdminEntry, "kind" | "slots">): Promise<AppliedCall> {
  return r.machine.apply(++r.index, encodeSlotAdminEntry({ peer: 0, epoch: 0, clear: false, chunk: undefined, ...entry }));
}

async function ok(result: AppliedCall | Promise<AppliedCall>): Promise<unknown> {
  const r = await result;
  if (!r.ok) throw r.error;
  return r.output;
}

async function refused(result: AppliedCall | Promise<AppliedCall>): Promise<RonyError> {
  const r = await result;
  expect(r.ok).toBe(false);
  return (r as { error: RonyError }).error;
}

/** Copies the frozen slots' data from `from` to `to` in chunks of about `maxBytes`. */
async function copySlots(from: Replica, to: Replica, slots: string, maxBytes: number): Promise<number> {
  let cursor = 0;
  let chunks = 0;
  do {
    const { chunk, nextCursor } = from.machine.slots.export({ slots, cursor, maxBytes });
    await ok(admin(to, { kind: SlotAdminKind.SLOT_IMPORT, slots, peer: 1, clear: chunks === 0, chunk }));
    chunks++;
    cursor = nextCursor;
  } while (cursor !== 0);
  return chunks;
}

// Notebooks in distinct slots: "n1" moves, "n2" stays.
const moving = SlotRanges.of([slotOf("n1")]).toString();

describe("slot moves in the replica state machine", () => {
  it("freezes, exports by chunks, imports, owns and releases: records and session results move", async () => {
    const a = replica(1, SlotRanges.ALL);
    const b = replica(2, SlotRanges.NONE);
    expect(b.machine.slots.table.state()).toEqual({ epoch: 0, owned: "", moving: "" });
    for (let i = 0; i < 20; i++) await ok(call(a, note("n1", `s${i}`), "c1", i + 1));
    await ok(call(a, note("n2", "x"), "c1", 21));

    // b serves nothing: a call there is refused before its handler and not remembered
    const elsewhere = await refused(call(b, note("n1", "early"), "c2", 1));
    expect(elsewhere).toBeInstanceOf(SlotElsewhereError);
    expect(elsewhere).toMatchObject({ owner: undefined, moving: false });
    expect(b.machine.sessions.lookup("c2", 1)).toBeUndefined();

    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: moving, peer: 2 }));
    expect(a.machine.slots.table.state()).toEqual({ epoch: 1, owned: SlotRanges.ALL.minus(SlotRanges.parse(moving)).toString(), moving });
    const frozen = await refused(call(a, note("n1", "late"), "c1", 22));
    expect(frozen).toMatchObject({ slot: slotOf("n1"), owner: 2, moving: true });
    expect(a.machine.sessions.lookup("c1", 22)).toBeUndefined();
    // a retry of a call that ran before the freeze is answered from the session, not refused
    expect(((await ok(call(a, note("n1", "s0"), "c1", 1))) as Note).slug).toBe("s0");
    // the other notebook is served as before
    await ok(call(a, note("n2", "y"), "c1", 23));

    const chunks = await copySlots(a, b, moving, 200);
    expect(chunks).toBeGreaterThan(3);
    expect(b.machine.slots.table.state().owned).toBe(""); // imported, not served yet
    await ok(admin(b, { kind: SlotAdminKind.SLOT_OWN, slots: moving, epoch: 2 }));
    expect(b.machine.slots.table.state()).toEqual({ epoch: 2, owned: moving, moving: "" });
    await ok(admin(a, { kind: SlotAdminKind.SLOT_RELEASE, slots: moving, peer: 2, epoch: 2 }));

    expect(await b.models.note.count({ notebook: "n1" })).toBe(20);
    expect(await a.models.note.count({ notebook: "n1" })).toBe(0);
    expect(await a.models.note.count({ notebook: "n2" })).toBe(2);
    const moved = await refused(call(a, note("n1", "after"), "c1", 24));
    expect(moved).toMatchObject({ owner: 2, moving: false, epoch: 2 });
    // the retry of a write that ran on a is answered by b from the moved session: not run twice
    expect(((await ok(call(b, note("n1", "s5"), "c1", 6))) as Note).id).toBe(6n);
    expect(await b.models.note.count({ notebook: "n1" })).toBe(20);
    // the call refused while frozen runs at the new owner with its seq
    expect(((await ok(call(b, note("n1", "late"), "c1", 22))) as Note).id).toBe(21n);
    // reads check the table too
    const get = shardedMethod(NotesService.methods.get);
    await expect(a.machine.read(get, { notebook: "n1", id: 1n }, {}, a.index)).rejects.toBeInstanceOf(SlotElsewhereError);
    expect(await b.machine.read(get, { notebook: "n1", id: 1n }, {}, b.index)).toMatchObject({ slug: "s0" });
  });

  it("refuses steps out of order, with FAILED_PRECONDITION, and reruns of a step change nothing", async () => {
    const a = replica(1, SlotRanges.parse("0-99"));
    const b = replica(2, SlotRanges.parse("100-199"));
    const expectPrecondition = async (r: Replica, entry: Parameters<typeof admin>[1], message: RegExp) => {
      const error = await refused(admin(r, entry));
      expect(RonyError.is(error, ErrorCode.FAILED_PRECONDITION)).toBe(true);
      expect(error.message).toMatch(message);
    };
    await expectPrecondition(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "99-100", peer: 2 }, /slot 100 is not served by replica set 1/);
    await expectPrecondition(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "5", peer: 1 }, /cannot take slots from itself/);
    await expectPrecondition(a, { kind: SlotAdminKind.SLOT_RELEASE, slots: "5", peer: 2, epoch: 2 }, /not frozen for replica set 2.*freeze it first/);
    await expectPrecondition(b, { kind: SlotAdminKind.SLOT_IMPORT, slots: "150", peer: 1, clear: true }, /slot 150 is owned on replica set 2/);
    expect(() => a.machine.slots.export({ slots: "5", cursor: 0, maxBytes: 0 })).toThrow(/slots 5 are not frozen/);
    const bad = await refused(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "5-3", peer: 2 }));
    expect(RonyError.is(bad, ErrorCode.INVALID_ARGUMENT)).toBe(true);

    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "0-9", peer: 2 }));
    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "0-9", peer: 2 })); // rerun
    await expectPrecondition(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: "0-9", peer: 3 }, /slot 0 is not served.*moving, replica set 2/);
    await expectPrecondition(a, { kind: SlotAdminKind.SLOT_OWN, slots: "5", epoch: 2 }, /slot 5 is moving away/);
    await ok(admin(b, { kind: SlotAdminKind.SLOT_OWN, slots: "0-9", epoch: 2 }));
    await ok(admin(b, { kind: SlotAdminKind.SLOT_OWN, slots: "0-9", epoch: 3 })); // rerun: stays at 2
    await ok(admin(a, { kind: SlotAdminKind.SLOT_RELEASE, slots: "0-9", peer: 2, epoch: 2 }));
    await ok(admin(a, { kind: SlotAdminKind.SLOT_RELEASE, slots: "0-9", peer: 2, epoch: 2 }));
    expect(b.machine.slots.table.runs().map((r) => [r.slots.toString(), r.state, r.epoch])).toEqual([["0-9", "owned", 2], ["100-199", "owned", 1]]);
    expect(a.machine.slots.table.runs().map((r) => [r.slots.toString(), r.state, r.peer, r.epoch])).toEqual([["0-9", "gone", 2, 2], ["10-99", "owned", 0, 1]]);
    expect(b.machine.slots.table.epoch).toBe(3);
  });

  it("a rerun import starts clean: the first chunk clears what an earlier try left", async () => {
    const a = replica(1, SlotRanges.ALL);
    const b = replica(2, SlotRanges.NONE);
    for (let i = 0; i < 5; i++) await ok(call(a, note("n1", `s${i}`)));
    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: moving, peer: 2 }));
    await copySlots(a, b, moving, 1);
    await copySlots(a, b, moving, 1 << 20);
    expect(await b.models.note.count({ notebook: "n1" })).toBe(5);
    // a record an earlier try left that the source does not have goes away on the rerun
    const { Note } = await import("../../generated/examples/notes.js");
    const extra = { store: "main", model: "examples.notes.Note", record: Note.encode({ notebook: "n1", id: 99n, slug: "ghost", title: "", body: "", tags: [] }).finish() };
    await ok(admin(b, { kind: SlotAdminKind.SLOT_IMPORT, slots: moving, peer: 1, chunk: { records: [extra], sessions: [] } }));
    expect(await b.models.note.count({ notebook: "n1" })).toBe(6);
    await copySlots(a, b, moving, 1 << 20);
    expect(await b.models.note.count({ notebook: "n1" })).toBe(5);
    expect(await b.models.note.get({ notebook: "n1", id: 99n })).toBeNull();
  });

  it("refuses a write of a plain raft call to a record in a slot the set does not serve", async () => {
    const a = replica(1, SlotRanges.ALL, false);
    await ok(a.machine.apply(++a.index, encodeCallEntry({ constructorId: NotesService.methods.create.constructorId, payload: create.input.encode(note("n1", "a")).finish(), client: "", seq: 0, timeMs: 1, seed: 1, headers: {} })));
    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: moving, peer: 2 }));
    const r = await a.machine.apply(++a.index, encodeCallEntry({ constructorId: NotesService.methods.create.constructorId, payload: create.input.encode(note("n1", "b")).finish(), client: "", seq: 0, timeMs: 2, seed: 1, headers: {} }));
    expect(r.ok).toBe(false);
    expect((r as { error: RonyError }).error).toBeInstanceOf(SlotElsewhereError);
    expect(await a.models.note.count({ notebook: "n1" })).toBe(1);
  });

  it("keeps the slot table and the slots of session results in snapshots, and reads format 1", async () => {
    const a = replica(1, SlotRanges.ALL);
    await ok(call(a, note("n1", "a"), "c1", 1));
    await ok(admin(a, { kind: SlotAdminKind.SLOT_FREEZE, slots: moving, peer: 2 }));
    const copy = replica(1, SlotRanges.ALL);
    copy.machine.restore(a.machine.snapshot());
    expect(copy.machine.slots.table.state()).toEqual(a.machine.slots.table.state());
    expect([...copy.machine.sessions.inSlots(() => true)].map((s) => [s.client, s.seq, s.result.slot])).toEqual([["c1", 1, slotOf("n1")]]);
    copy.machine.restore(new Uint8Array());
    expect(copy.machine.slots.table.state()).toEqual({ epoch: 1, owned: "0-16383", moving: "" });
    // a format-1 snapshot (sessions without slots, no table) restores with the bootstrap table
    const w = new BinaryWriter().uint32(1).double(0).uint32(1).string("c9").double(5).double(0).uint32(1).double(1).bool(true).bytes(new Uint8Array([1])).uint32(0);
    const old = replica(2, SlotRanges.parse("7"));
    old.machine.restore(w.finish());
    expect(old.machine.slots.table.state()).toEqual({ epoch: 1, owned: "7", moving: "" });
    expect(old.machine.sessions.lookup("c9", 1)).toMatchObject({ ok: true, slot: -1 });
    expect(new BinaryReader(a.machine.snapshot()).uint32()).toBe(2);
  });
});
