import type { EdgeConnection } from "./connection.js";

/** Where a frame came from and where its replies go: a WebSocket connection or one HTTP exchange. */
export interface Peer<Auth = unknown> {
  readonly connection: EdgeConnection<Auth> | undefined;
  /** Takes a slot for one more call in flight; false when the peer's limit is reached. */
  admit(): boolean;
  /** Gives the slot back once the reply is out. */
  release(): void;
  /** Sends one binary reply. The frame is the peer's from now on: callers never reuse it. */
  sendBinary(frame: Uint8Array): void;
  sendText(frame: string): void;
}
