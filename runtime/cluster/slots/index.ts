// Slots of the sharded cluster (docs/cluster.md): which slot a shard key falls in, and the answer
// of a replica set that does not serve a slot.
export { SLOT_COUNT, slotOf } from "./slot-of.js";
export { SlotElsewhereError } from "./errors.js";
export { SlotRanges, type SlotRange } from "./slot-ranges.js";
