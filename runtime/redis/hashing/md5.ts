/**
 * The first 32 bits (little-endian) of MD5(utf8(text)): the ketama point of a key.
 * In plain JS because node:crypto's createHash costs ~1.5 µs per call in set-up alone, more
 * than the whole hash of a short key here; this is checked against node:crypto in md5.test.ts.
 */
const S = [7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21];
const K = Int32Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) | 0);

let block = new Uint8Array(128);
let words = new Int32Array(block.buffer);
const encoder = new TextEncoder();

/** Writes the padded message into `block`; returns its length in bytes (a multiple of 64). */
function pad(text: string): number {
  let length = text.length;
  let ascii = true;
  for (let i = 0; i < length; i++) {
    if (text.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  const bytes = ascii ? undefined : encoder.encode(text);
  if (bytes) length = bytes.length;
  const total = (((length + 8) >> 6) + 1) << 6;
  if (total > block.length) {
    block = new Uint8Array(total);
    words = new Int32Array(block.buffer);
  }
  if (bytes) block.set(bytes);
  else for (let i = 0; i < length; i++) block[i] = text.charCodeAt(i);
  block[length] = 0x80;
  block.fill(0, length + 1, total);
  const bits = length * 8;
  block[total - 8] = bits & 0xff;
  block[total - 7] = (bits >>> 8) & 0xff;
  block[total - 6] = (bits >>> 16) & 0xff;
  block[total - 5] = (bits >>> 24) & 0xff;
  block[total - 4] = Math.floor(bits / 2 ** 32) & 0xff;
  return total;
}

/** MD5 of `text` as four little-endian 32-bit words (the 16-byte digest). */
export function md5Words(text: string): [number, number, number, number] {
  const total = pad(text);
  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  for (let offset = 0; offset < total >> 2; offset += 16) {
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + K[i]! + words[offset + g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << S[i]!) | (sum >>> (32 - S[i]!)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }
  return [a0 >>> 0, b0 >>> 0, c0 >>> 0, d0 >>> 0];
}

/** The ketama point of a key: the digest's first 4 bytes read little-endian. */
export function md5Point(text: string): number {
  return md5Words(text)[0];
}
