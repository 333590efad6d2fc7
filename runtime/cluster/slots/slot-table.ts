// The slot table of one replica set: for each of the 16384 slots, whether this set serves it,
// is giving it away (frozen, "moving"), gave it away ("gone", to whom, at which epoch) or never
// had it. It lives in the Raft state — changed only by applied admin entries, carried by
// snapshots — so every replica answers a call for a slot alike, in log order.
import type { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { ErrorCode, RonyError } from "../../rpc/errors.js";
import { SlotElsewhereError } from "./errors.js";
import { SLOT_COUNT } from "./slot-of.js";
import { SlotRanges } from "./slot-ranges.js";

const NONE = 0;
const OWNED = 1;
const MOVING = 2;
const GONE = 3;
const STATE_NAMES = ["none", "owned", "moving", "gone"] as const;

/** What a replica set announces: its applied slot table in short. */
export interface SlotState {
  /** Highest slot epoch applied; 0 when the set never owned a slot. */
  readonly epoch: number;
  /** Ranges served now. */
  readonly owned: string;
  /** Ranges frozen for a move away: still held here, answered "moving". */
  readonly moving: string;
}

/** A run of slots in one state, for the admin view and snapshots. */
export interface SlotRun {
  readonly slots: SlotRanges;
  readonly state: "owned" | "moving" | "gone";
  /** moving: the receiving set; gone: the set it went to. */
  readonly peer: number;
  readonly epoch: number;
}

export class SlotTable {
  readonly #kind = new Uint8Array(SLOT_COUNT);
  readonly #peer = new Uint32Array(SLOT_COUNT);
  readonly #epochs = new Uint32Array(SLOT_COUNT);
  #epoch = 0;
  #state: SlotState | undefined;
  readonly #listeners = new Set<(state: SlotState) => void>();

  /** `initial`: the slots a new replica set owns, at epoch 1. */
  constructor(
    readonly replicaSet: number,
    readonly initial: SlotRanges,
  ) {
    this.reset();
  }

  /** Back to the bootstrap table (an empty snapshot: a new replica set). */
  reset(): void {
    this.#kind.fill(NONE);
    this.#peer.fill(0);
    this.#epochs.fill(0);
    this.#epoch = this.initial.isEmpty ? 0 : 1;
    for (const slot of this.initial.slots()) {
      this.#kind[slot] = OWNED;
      this.#epochs[slot] = 1;
    }
    this.#changed();
  }

  get epoch(): number {
    return this.#epoch;
  }

  serves(slot: number): boolean {
    return this.#kind[slot] === OWNED;
  }

  /** Whether `slot` is frozen here for a move away. */
  isMoving(slot: number): boolean {
    return this.#kind[slot] === MOVING;
  }

  /** The answer for a call in `slot` when this set does not serve it; undefined when it does. */
  refusal(slot: number): SlotElsewhereError | undefined {
    const kind = this.#kind[slot];
    if (kind === OWNED) return undefined;
    const peer = kind === NONE ? undefined : this.#peer[slot];
    return new SlotElsewhereError(slot, peer, this.#epoch, kind === MOVING);
  }

  state(): SlotState {
    this.#state ??= { epoch: this.#epoch, owned: this.#ranges(OWNED).toString(), moving: this.#ranges(MOVING).toString() };
    return this.#state;
  }

  /** Called after every change of the table, with the new state. */
  onChange(listener: (state: SlotState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  runs(): SlotRun[] {
    const runs: SlotRun[] = [];
    let first = 0;
    for (let slot = 1; slot <= SLOT_COUNT; slot++) {
      if (slot < SLOT_COUNT && this.#same(slot, first)) continue;
      const kind = this.#kind[first]!;
      if (kind !== NONE) {
        const slots = SlotRanges.parse(first === slot - 1 ? `${first}` : `${first}-${slot - 1}`);
        runs.push({ slots, state: STATE_NAMES[kind] as SlotRun["state"], peer: this.#peer[first]!, epoch: this.#epochs[first]! });
      }
      first = slot;
    }
    return runs;
  }

  /** FREEZE: stop serving `slots` (each owned here, or already moving to `to`) for a move to `to`. */
  freeze(slots: SlotRanges, to: number): void {
    this.#require(to !== this.replicaSet, `replica set ${to} cannot take slots from itself`);
    for (const slot of slots.slots()) {
      const kind = this.#kind[slot];
      this.#require(kind === OWNED || (kind === MOVING && this.#peer[slot] === to), `slot ${slot} is not served by replica set ${this.replicaSet}${this.#why(slot)}`);
    }
    for (const slot of slots.slots()) {
      this.#kind[slot] = MOVING;
      this.#peer[slot] = to;
    }
    this.#changed();
  }

  /** Whether an IMPORT of `slots` may write here: none of them is served or held for a move. */
  checkImport(slots: SlotRanges): void {
    for (const slot of slots.slots()) {
      const kind = this.#kind[slot];
      this.#require(kind !== OWNED && kind !== MOVING, `slot ${slot} is ${STATE_NAMES[kind!]} on replica set ${this.replicaSet}: importing it would overwrite live data`);
    }
  }

  /**
   * OWN: serve `slots` from now on, at `epoch`. Slots already served stay as they are, so a rerun
   * of a move that got this far changes nothing.
   */
  own(slots: SlotRanges, epoch: number): void {
    this.#require(epoch > 0, "a move's epoch is at least 1");
    for (const slot of slots.slots()) this.#require(this.#kind[slot] !== MOVING, `slot ${slot} is moving away from replica set ${this.replicaSet}${this.#why(slot)}`);
    for (const slot of slots.slots()) {
      if (this.#kind[slot] === OWNED) continue;
      this.#kind[slot] = OWNED;
      this.#peer[slot] = 0;
      this.#epochs[slot] = epoch;
    }
    this.#epoch = Math.max(this.#epoch, epoch);
    this.#changed();
  }

  /** RELEASE: `slots` (each frozen for `to`, or already gone there) now belong to `to` at `epoch`. */
  release(slots: SlotRanges, to: number, epoch: number): void {
    this.#require(epoch > 0, "a move's epoch is at least 1");
    for (const slot of slots.slots()) {
      const kind = this.#kind[slot];
      this.#require((kind === MOVING || kind === GONE) && this.#peer[slot] === to, `slot ${slot} is not frozen for replica set ${to}${this.#why(slot)}: freeze it first`);
    }
    for (const slot of slots.slots()) {
      if (this.#kind[slot] === GONE) continue;
      this.#kind[slot] = GONE;
      this.#epochs[slot] = epoch;
    }
    this.#epoch = Math.max(this.#epoch, epoch);
    this.#changed();
  }

  encode(w: BinaryWriter): void {
    const runs = this.runs();
    w.uint32(this.#epoch).uint32(runs.length);
    for (const run of runs) w.string(run.slots.toString()).uint32(STATE_NAMES.indexOf(run.state)).uint32(run.peer).uint32(run.epoch);
  }

  restore(r: BinaryReader): void {
    this.#kind.fill(NONE);
    this.#peer.fill(0);
    this.#epochs.fill(0);
    this.#epoch = r.uint32();
    for (let n = r.uint32(); n > 0; n--) {
      const slots = SlotRanges.parse(r.string());
      const kind = r.uint32();
      const peer = r.uint32();
      const epoch = r.uint32();
      if (kind <= NONE || kind > GONE) throw new Error(`slot table: state ${kind} is not known to this node`);
      for (const slot of slots.slots()) {
        this.#kind[slot] = kind;
        this.#peer[slot] = peer;
        this.#epochs[slot] = epoch;
      }
    }
    this.#changed();
  }

  #ranges(kind: number): SlotRanges {
    const slots: number[] = [];
    for (let slot = 0; slot < SLOT_COUNT; slot++) if (this.#kind[slot] === kind) slots.push(slot);
    return SlotRanges.of(slots);
  }

  #same(a: number, b: number): boolean {
    return this.#kind[a] === this.#kind[b] && this.#peer[a] === this.#peer[b] && this.#epochs[a] === this.#epochs[b];
  }

  #why(slot: number): string {
    const kind = this.#kind[slot]!;
    if (kind === NONE) return " (it never was)";
    if (kind === OWNED) return " (it is served here)";
    return ` (it is ${STATE_NAMES[kind]}, replica set ${this.#peer[slot]}, epoch ${this.#epochs[slot]})`;
  }

  #require(ok: boolean, description: string): void {
    if (!ok) throw new RonyError(ErrorCode.FAILED_PRECONDITION, description, "slots");
  }

  #changed(): void {
    this.#state = undefined;
    if (this.#listeners.size === 0) return;
    const state = this.state();
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (e) {
        console.error("rony-ts: a slot table listener threw", e);
      }
    }
  }
}
