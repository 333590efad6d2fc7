// Puts the cluster status together on demand: asks every announced node for its NodeStats
// through the tunnel, each with a short timeout (a node that does not answer in time is shown as
// down), and keeps the answer for a moment so that many pages polling one node cost one round of
// calls per cacheMs, whoever sends the requests.
import type { NodeAnnouncement } from "../../registry/index.js";
import type { Transport } from "../../rpc/index.js";
import { assembleClusterStatus, type AnnouncedNode, type ClusterStatus } from "./cluster-status.js";
import { NODE_STATS, type NodeStats } from "./node-stats.js";

export interface ClusterStatusSource {
  /** This node's own figures, and its edge's host:port (no tunnel hop). */
  readonly self: () => NodeStats & { readonly edgeAddress: string };
  /** The nodes as the registry knows them now. */
  readonly nodes: () => Iterable<AnnouncedNode | NodeAnnouncement>;
  /** The tunnel to another node, by its announcement. */
  readonly tunnelTo: (node: AnnouncedNode) => Transport;
  /** How long a node has to answer before it is shown as down; default 500 ms. */
  readonly timeoutMs?: number;
  /** How long an assembled status is served again; default 500 ms. */
  readonly cacheMs?: number;
}

export class ClusterStatusCollector {
  readonly #source: ClusterStatusSource;
  #last: { status: ClusterStatus; atMs: number } | undefined;
  /** Each node's last answer, so a node that went down shows what it was (a leader, say). */
  readonly #lastSeen = new Map<string, NodeStats>();
  #pending: Promise<ClusterStatus> | undefined;

  constructor(source: ClusterStatusSource) {
    this.#source = source;
  }

  /** The status, at most cacheMs old. */
  status(): Promise<ClusterStatus> {
    const last = this.#last;
    if (last !== undefined && performance.now() - last.atMs < (this.#source.cacheMs ?? 500)) return Promise.resolve(last.status);
    this.#pending ??= this.#collect().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #collect(): Promise<ClusterStatus> {
    const self = this.#source.self();
    const timeoutMs = this.#source.timeoutMs ?? 500;
    const announced = [...this.#source.nodes()];
    const answers = await Promise.all(
      announced.map(async (node): Promise<[string, NodeStats | Error]> => {
        if (node.id === self.id) return [node.id, self];
        try {
          const stats = await this.#source.tunnelTo(node).call(NODE_STATS, {}, { timeoutMs });
          return [node.id, stats.id === node.id ? stats : new Error(`answered as node ${stats.id}`)];
        } catch (e) {
          return [node.id, e instanceof Error ? e : new Error(String(e))];
        }
      }),
    );
    const ids = new Set(announced.map((a) => a.id));
    for (const id of this.#lastSeen.keys()) if (!ids.has(id)) this.#lastSeen.delete(id);
    const status = assembleClusterStatus(self, announced, new Map(answers), { lastSeen: this.#lastSeen });
    for (const [id, answer] of answers) if (!(answer instanceof Error)) this.#lastSeen.set(id, answer);
    this.#last = { status, atMs: performance.now() };
    return status;
  }
}
