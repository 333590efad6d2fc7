// Which of the cluster's 16384 slots a shard key value falls in: CRC16/XMODEM of the value's
// bytes modulo 16384, the function and count Redis Cluster uses (without its {hash tags}: a shard
// key is one field, there is nothing to group). A string hashes its UTF-8, an integer its decimal
// digits, a bool "1" or "0", bytes themselves — the key text the models use (runtime/model/values.ts),
// so a record and the calls that carry its shard key always land in the same slot.
import { crc16 } from "../../redis/hashing/cluster-slot.js";
import { textOf, type KeyValue } from "../../model/values.js";

export const SLOT_COUNT = 16384;

export function slotOf(value: KeyValue): number {
  const bytes = value instanceof Uint8Array ? value : Buffer.from(textOf(value), "utf8");
  return crc16(bytes) % SLOT_COUNT;
}
