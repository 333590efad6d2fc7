// A Peer that records replies, for driving FrameHandler in-process.
import type { Peer } from "rony-ts/runtime";
import { decodeEnvelope, type Envelope } from "rony-ts/runtime/rpc";

export class RecordingPeer implements Peer {
  readonly connection = undefined;
  readonly binary: Envelope[] = [];
  readonly text: unknown[] = [];
  inFlight = 0;

  constructor(readonly maxInFlight = Infinity) {}

  admit(): boolean {
    if (this.inFlight >= this.maxInFlight) return false;
    this.inFlight++;
    return true;
  }

  release(): void {
    this.inFlight--;
  }

  sendBinary(frame: Uint8Array): void {
    this.binary.push(decodeEnvelope(frame.slice()));
  }

  sendText(frame: string): void {
    this.text.push(JSON.parse(frame));
  }
}

/** Lets pending handler promises and their replies settle. */
export const settle = () => new Promise((r) => setImmediate(r));
