import { hashTagOf } from "./hash-tag.js";

/** CRC16/XMODEM, the checksum Redis Cluster maps keys to its 16384 slots with. */
const table = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  let crc = i << 8;
  for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  table[i] = crc;
}

export const CLUSTER_SLOTS = 16384;

/** The Redis Cluster slot of a key (honours `{hash tags}`), as `CLUSTER KEYSLOT` computes it. */
export function clusterSlot(key: string): number {
  return crc16(Buffer.from(hashTagOf(key), "utf8")) % CLUSTER_SLOTS;
}

/** CRC16/XMODEM of the bytes (CRC16("123456789") = 0x31c3). */
export function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ table[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}
