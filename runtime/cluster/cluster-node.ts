// A node of a sharded cluster: a ReplicaNode (one member of one replica set) that announces itself
// in a registry (static config file or Redis), keeps a view of the other replica sets and their
// slots, and takes any sharded call: its own set's slots run here (on the set's leader), other
// slots go to their owner set through the tunnel, or come back as a WRONG_SHARD Redirect.
// It re-announces whenever its role, term or applied slot table changes, and serves the cluster's
// status page (/cluster) and the slot map clients learn (docs/cluster.md).
import type { WebSocketTransport } from "../client/ws-transport.js";
import type { EdgeServer } from "../edge/index.js";
import { RegistryError, type Announcement, type NodeAnnouncement, type NodeRole, type Registry } from "../registry/index.js";
import type { HandlerRegistry, Transport } from "../rpc/index.js";
import { ClusterView, type ClusterViewSnapshot } from "./cluster-view.js";
import type { ReplicatedContext } from "./replicated-context.js";
import { ReplicaNode, type ReplicaNodeOptions, type ReplicaStatus } from "./replica-node.js";
import { ShardRouter } from "./shard-router.js";
import { serveSlotMap } from "./slot-map-rpc.js";
import { replicaNodeStats, serveClusterStatus } from "./status/index.js";
import { openTunnel } from "./tunnel-client.js";

export interface ClusterNodeOptions extends ReplicaNodeOptions {
  /** Where the nodes of the cluster find each other; started with the node, closed with it. */
  readonly registry: Registry;
  /**
   * A sharded call for a slot another replica set owns: "forward" (default) through the tunnel to
   * that set, or "redirect": a WRONG_SHARD Redirect naming its nodes (WebSocket and envelope-over-
   * HTTP callers; REST calls are forwarded). A caller may ask for redirects itself (ClusterTransport
   * with slot routing does).
   */
  readonly shardCalls?: "forward" | "redirect";
  /** How often the node checks its role, term and slots for a change to announce; default 200 ms. */
  readonly announceCheckMs?: number;
}

/** What the status of one node says about it, for pages and tests. */
export interface ClusterNodeStatus extends ReplicaStatus {
  readonly clusterId: string;
  /** The announcement this node last made. */
  readonly announced: NodeAnnouncement | undefined;
  /** Sharded calls sent to another replica set, and calls routed again after a MOVED answer. */
  readonly forwarded: number;
  readonly rerouted: number;
}

export class ClusterNode {
  readonly replica: ReplicaNode;
  readonly registry: Registry;
  readonly view: ClusterView;
  readonly router: ShardRouter;
  readonly #options: ClusterNodeOptions;
  /** Tunnels to nodes of other replica sets, by id, with the address they were opened to. */
  readonly #tunnels = new Map<string, { address: string; transport: WebSocketTransport }>();
  #announced: NodeAnnouncement | undefined;
  #announcing = false;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Unsubscribes what start() subscribed to. */
  readonly #stops: (() => void)[] = [];
  #stopped = false;

  /** Register the services (`replicated`, `edge`), then start(). */
  constructor(options: ClusterNodeOptions) {
    this.#options = options;
    this.registry = options.registry;
    this.replica = new ReplicaNode(options);
    this.view = new ClusterView(options.registry);
    this.router = new ShardRouter({
      replicaSet: options.replicaSet,
      view: this.view,
      tunnelTo: (node) => this.tunnelTo(node),
      shardCalls: options.shardCalls,
      callTimeoutMs: options.callTimeoutMs ?? 10_000,
      wsPath: options.edge?.wsPath ?? "/ws",
    });
    this.replica.routeShardedCalls((method, input, headers, via, local) => this.router.route(method, input, headers, via, local));
    serveClusterStatus(this.edge, {
      self: replicaNodeStats(this.replica, this.edgeAddress, () => this.replica.slotState()),
      nodes: () => this.registry.nodes().values(),
      tunnelTo: (node) => this.tunnelTo(node),
    });
    serveSlotMap(this.edge, () => this.slotMap(), options.edge?.wsPath ?? "/ws");
  }

  /** "<replicaSet>:<raftId>": this node's id in the registry and on tunnels. */
  get id(): string {
    return this.replica.clusterId;
  }

  get edge(): EdgeServer {
    return this.replica.edge;
  }

  /** Register replicated and sharded services here. */
  get replicated(): HandlerRegistry<ReplicatedContext> {
    return this.replica.replicated;
  }

  /** host:port of this node's edge, as announced. */
  get edgeAddress(): string {
    const { host, port } = this.#options.members.find((m) => m.id === this.#options.id)!.edge;
    return `${host}:${port}`;
  }

  /** Calls reach their owner wherever it is: the transport for cluster stubs inside handlers. */
  transport(): Transport {
    return this.replica.leaderTransport();
  }

  /** Starts the registry, the replica and the announcements. */
  async start(): Promise<this> {
    await this.registry.start();
    this.view.start();
    // A node that left the registry is dead or gone: stop redialling it.
    this.#stops.push(
      this.registry.watch((c) => {
        if (c.after === undefined) this.#dropTunnel(c.id);
      }),
    );
    await this.replica.start();
    await this.#announce();
    this.#stops.push(this.replica.raft.onLeaderChange(() => void this.#announce()));
    this.#stops.push(this.replica.onSlotChange(() => void this.#announce()));
    this.#timer = setInterval(() => void this.#announce(), this.#options.announceCheckMs ?? 200);
    return this;
  }

  /** Withdraws from the registry, then stops the replica. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    for (const stop of this.#stops.splice(0)) stop();
    this.view.stop();
    await this.registry.close();
    for (const id of [...this.#tunnels.keys()]) this.#dropTunnel(id);
    await this.replica.stop();
  }

  status(): ClusterNodeStatus {
    return { ...this.replica.status(), clusterId: this.id, announced: this.#announced, forwarded: this.router.forwarded, rerouted: this.router.rerouted };
  }

  /** The slot map and the replica sets' nodes, as this node knows them now. */
  slotMap(): ClusterViewSnapshot {
    return this.view.snapshot();
  }

  /** The tunnel to any node of the cluster, by its announcement. */
  tunnelTo(node: Pick<NodeAnnouncement, "id" | "edgeAddress">): WebSocketTransport {
    const [set, raftId] = node.id.split(":").map(Number);
    if (set === this.#options.replicaSet && raftId !== undefined && this.#options.members.some((m) => m.id === raftId)) return this.replica.tunnel(raftId);
    const known = this.#tunnels.get(node.id);
    if (known !== undefined && known.address === node.edgeAddress) return known.transport;
    if (known !== undefined) known.transport.close();
    const at = node.edgeAddress.lastIndexOf(":");
    const transport = openTunnel({
      secret: this.#options.secret,
      from: this.id,
      to: node.id,
      host: node.edgeAddress.slice(0, at).replace(/^\[(.*)\]$/, "$1"),
      port: Number(node.edgeAddress.slice(at + 1)),
      timeoutMs: this.#options.callTimeoutMs ?? 10_000,
      maxFrameBytes: this.#options.edge?.tunnelMaxPayloadBytes,
    });
    this.#tunnels.set(node.id, { address: node.edgeAddress, transport });
    return transport;
  }

  #dropTunnel(id: string): void {
    this.#tunnels.get(id)?.transport.close();
    this.#tunnels.delete(id);
  }

  #announcement(): Announcement {
    const s = this.replica.status();
    const slots = this.replica.slotState();
    return {
      id: this.id,
      replicaSet: String(this.#options.replicaSet),
      edgeAddress: this.edgeAddress,
      tunnelAddress: this.edgeAddress,
      role: roleOf(s.role),
      leaderTerm: s.leader === 0 ? (this.#announced?.leaderTerm ?? 0) : s.term,
      patterns: [],
      slots: slots.owned,
      slotEpoch: slots.epoch,
    };
  }

  /** Announces when something changed since the last announcement (or it failed). */
  async #announce(): Promise<void> {
    if (this.#announcing || this.#stopped) return;
    const next = this.#announcement();
    const last = this.#announced;
    if (last !== undefined && last.role === next.role && last.leaderTerm === next.leaderTerm && last.slots === next.slots && last.slotEpoch === next.slotEpoch) return;
    this.#announcing = true;
    try {
      await this.registry.announce(next);
      this.#announced = { ...next, slots: next.slots ?? "", slotEpoch: next.slotEpoch ?? 0 };
    } catch (e) {
      // Redis down: the view is kept; the next check announces again.
      if (RegistryError.is(e)) this.registry.onError(e);
      else throw e;
    } finally {
      this.#announcing = false;
    }
  }
}

function roleOf(role: ReplicaStatus["role"]): NodeRole {
  return role === "pre-candidate" ? "candidate" : role;
}
