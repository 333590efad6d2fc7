// Slots are computed in runtime/rpc/shard-slot.ts, where clients (browsers too) reach them.
export { SLOT_COUNT, slotOf } from "../../rpc/shard-slot.js";
