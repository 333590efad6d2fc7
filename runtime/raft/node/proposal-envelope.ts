// The bytes RaftNode puts in an entry: [0xF7][16-byte proposal id][payload]. The id lets the node
// that proposed recognise its entry when it applies it, wherever the entry was appended (a
// follower forwards proposals to the leader), as etcd's request ids and wait registry do.
// Entries without the tag (a new cluster's bootstrap changes, a leader's empty no-op) carry no id.
import { randomBytes } from "node:crypto";

const TAG = 0xf7;
const ID_BYTES = 16;
/** Bytes the envelope adds to a payload. */
export const ENVELOPE_BYTES = 1 + ID_BYTES;
const HEADER = ENVELOPE_BYTES;

const wrapped = (data: Uint8Array): boolean => data.length >= HEADER && data[0] === TAG;

/** What the application proposed: the entry's data without the envelope. */
export const proposalPayload = (data: Uint8Array): Uint8Array => (wrapped(data) ? data.subarray(HEADER) : data);

/** The proposal id as a map key, or undefined for an entry proposed without one. */
export const proposalKey = (data: Uint8Array): string | undefined =>
  wrapped(data) ? Buffer.from(data.buffer, data.byteOffset + 1, ID_BYTES).toString("latin1") : undefined;

/** Makes ids unique across nodes and restarts: 8 random bytes per instance, then a counter. */
export class ProposalIds {
  private readonly prefix = randomBytes(8);
  private counter = 0;

  /** The entry bytes for payload, and the key its waiter is registered under. */
  wrap(payload: Uint8Array): { key: string; data: Uint8Array } {
    const data = new Uint8Array(HEADER + payload.length);
    data[0] = TAG;
    data.set(this.prefix, 1);
    new DataView(data.buffer).setFloat64(9, ++this.counter, true);
    data.set(payload, HEADER);
    return { key: Buffer.from(data.buffer, 1, ID_BYTES).toString("latin1"), data };
  }
}
