// A test client for sharded calls that follows the slot answers itself: it sends a call to the
// replica set it believes owns the slot, learns the owner from a MOVED answer, waits out a moving
// slot, and tries the next member when a node is down. Writes carry one session (client id and
// seq) whatever set they reach, so a retry after a move is answered from the moved session.
import { randomBytes } from "node:crypto";
import { CLIENT_HEADER, ErrorCode, RonyError, SEQ_HEADER, type MethodDescriptor } from "rony-ts/runtime";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { SlotElsewhereError, slotOf } from "rony-ts/runtime/cluster";

export class SlotFollowingClient {
  readonly clientId = randomBytes(16).toString("hex");
  readonly #owners = new Map<number, number>();
  readonly #next = new Map<number, number>();
  readonly #transports = new Map<string, WebSocketTransport>();
  #seq = 0;
  /** MOVED answers followed, for the test to show that they happened. */
  moved = 0;

  /** `sets`: WebSocket URLs of each replica set's nodes; calls start at `firstSet`. */
  constructor(
    readonly sets: ReadonlyMap<number, readonly string[]>,
    readonly firstSet: number,
    readonly timeoutMs = 20_000,
  ) {}

  async call<I, O>(method: MethodDescriptor<I, O>, input: I, shardKey: string): Promise<O> {
    const slot = slotOf(shardKey);
    const headers: Record<string, string> = method.readOnly ? {} : { [CLIENT_HEADER]: this.clientId, [SEQ_HEADER]: String(++this.#seq) };
    const deadline = Date.now() + this.timeoutMs;
    let last: unknown;
    while (Date.now() < deadline) {
      const set = this.#owners.get(slot) ?? this.firstSet;
      const urls = this.sets.get(set)!;
      const at = this.#next.get(set) ?? 0;
      try {
        return await this.#transport(urls[at % urls.length]!).call(method, input, { headers, timeoutMs: Math.max(1, Math.min(5_000, deadline - Date.now())) });
      } catch (e) {
        last = e;
        const elsewhere = SlotElsewhereError.from(e);
        if (elsewhere !== undefined && elsewhere.moving) {
          await sleep(20);
        } else if (elsewhere !== undefined) {
          this.moved++;
          // Without a known owner, try the sets in turn.
          this.#owners.set(slot, elsewhere.owner ?? this.#otherSet(set));
        } else if (RonyError.is(e, ErrorCode.UNAVAILABLE) || RonyError.is(e, ErrorCode.DEADLINE_EXCEEDED) || RonyError.is(e, ErrorCode.CANCELLED)) {
          this.#next.set(set, at + 1);
          await sleep(50);
        } else {
          throw e;
        }
      }
    }
    throw new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} got no answer in time (last: ${(last as Error | undefined)?.message})`);
  }

  close(): void {
    for (const t of this.#transports.values()) t.close();
  }

  #otherSet(set: number): number {
    const ids = [...this.sets.keys()].sort((a, b) => a - b);
    return ids[(ids.indexOf(set) + 1) % ids.length]!;
  }

  #transport(url: string): WebSocketTransport {
    let t = this.#transports.get(url);
    if (t === undefined || t.state === "closed") {
      t = new WebSocketTransport(url, { reconnect: false });
      this.#transports.set(url, t);
    }
    return t;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
