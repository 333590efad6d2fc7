// The replicated key/value store: a RaftNode over the KvStateMachine.
import type { PeerAddress } from "../transport/tcp-transport.js";
import type { RaftNodeOptions } from "../node/raft-node.js";
import { RaftNode } from "../node/raft-node.js";
import type { KvResult } from "./kv-command.js";
import { encodeCommand } from "./kv-command.js";
import { KvStateMachine } from "./kv-state-machine.js";

export interface KvNodeOptions extends Omit<RaftNodeOptions, "stateMachine"> {
  peers: Map<number, PeerAddress>;
}

export class KvNode {
  private constructor(
    readonly raft: RaftNode,
    private readonly sm: KvStateMachine,
  ) {}

  static async start(opts: KvNodeOptions): Promise<KvNode> {
    const sm = new KvStateMachine();
    const raft = await RaftNode.start({ ...opts, stateMachine: sm });
    return new KvNode(raft, sm);
  }

  /** Writes key=value once per (clientId, seq), however often it is retried. */
  async put(clientId: string, seq: number, key: string, value: string): Promise<KvResult> {
    return (await this.raft.propose(encodeCommand({ clientId, seq, op: "put", key, value }))) as KvResult;
  }

  async delete(clientId: string, seq: number, key: string): Promise<KvResult> {
    return (await this.raft.propose(encodeCommand({ clientId, seq, op: "delete", key }))) as KvResult;
  }

  /** A linearizable read: confirmed leadership (ReadIndex), then the local state machine. */
  async get(key: string): Promise<string | undefined> {
    await this.raft.linearizableRead();
    return this.sm.get(key);
  }

  stop(): Promise<void> {
    return this.raft.stop();
  }
}
