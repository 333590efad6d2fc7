// Which of the cluster's 16384 slots a shard key value falls in: CRC16/XMODEM of the value's
// bytes modulo 16384, the function and count Redis Cluster uses (without its {hash tags}: a shard
// key is one field, there is nothing to group). A string hashes its UTF-8, an integer its decimal
// digits, a bool "1" or "0", bytes themselves — the key text the models use (runtime/model/values.ts),
// so a record and the calls that carry its shard key always land in the same slot.
// It lives here, beside the wire contract, because clients compute it too (in browsers: no Buffer).

export const SLOT_COUNT = 16384;

/** A shard key's value, as generated descriptors read it from an input. */
export type ShardKeyValue = string | number | bigint | boolean | Uint8Array;

const table = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  table[i] = crc;
}
const utf8 = new TextEncoder();

export function slotOf(value: ShardKeyValue): number {
  const bytes = value instanceof Uint8Array ? value : utf8.encode(typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ table[((crc >> 8) ^ byte) & 0xff]!;
  return crc % SLOT_COUNT;
}
