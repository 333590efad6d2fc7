// The reference application: a map with per-client sessions for exactly-once proposals.
import { RaftError } from "../core/errors.js";
import type { KvResult } from "./kv-command.js";
import { decodeCommand } from "./kv-command.js";

interface Session {
  seq: number;
  result: KvResult;
}

interface SnapshotShape {
  data: [string, string][];
  sessions: [string, Session][];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export class KvStateMachine {
  private data = new Map<string, string>();
  private sessions = new Map<string, Session>();

  get(key: string): string | undefined {
    return this.data.get(key);
  }

  size(): number {
    return this.data.size;
  }

  /** Applies the command in entry `index`. Empty data is the leader's no-op entry. */
  apply(index: number, bytes: Uint8Array): KvResult | undefined {
    if (bytes.length === 0) return undefined;
    const c = decodeCommand(bytes);
    const s = this.sessions.get(c.clientId);
    if (s && c.seq <= s.seq) {
      // a retry of a request already applied: answer as the first time, change nothing
      return { ...s.result, duplicate: true };
    }
    if (c.op === "put") this.data.set(c.key, c.value ?? "");
    else this.data.delete(c.key);
    const result: KvResult = { revision: index, duplicate: false };
    this.sessions.set(c.clientId, { seq: c.seq, result });
    return result;
  }

  snapshot(): Uint8Array {
    const shape: SnapshotShape = { data: [...this.data], sessions: [...this.sessions] };
    return enc.encode(JSON.stringify(shape));
  }

  restore(bytes: Uint8Array): void {
    if (bytes.length === 0) {
      this.data = new Map();
      this.sessions = new Map();
      return;
    }
    let shape: SnapshotShape;
    try {
      shape = JSON.parse(dec.decode(bytes)) as SnapshotShape;
    } catch {
      throw new RaftError("DECODE", "kv snapshot is not JSON");
    }
    this.data = new Map(shape.data);
    this.sessions = new Map(shape.sessions);
  }
}
