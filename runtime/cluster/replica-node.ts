// A node of a replica set: one edge server (clients and the cluster tunnel) and one Raft group
// member whose state machine runs the replicated services. A call to a replicated rpc:
//   write on the leader     → proposed as a log entry; every replica runs it in log order; the
//                             leader answers with its own run's result;
//   write on a follower     → forwarded to the leader through the tunnel, or (followerCalls:
//                             "redirect") answered with a Redirect naming the leader's edge;
//   read_only               → ReadIndex (the leader confirms it still leads), then run here on
//                             the leader, or on any replica with follower_ok.
import { randomInt } from "node:crypto";
import { EdgeServer, defaultLimits, type EdgeContext, type EdgeServerOptions } from "../edge/index.js";
import type { WebSocketTransport } from "../client/ws-transport.js";
import type { RaftStore } from "../model/raft/raft-store.js";
import { isRaftError } from "../raft/core/index.js";
import { RaftNode, type RaftNodeOptions, type RaftRole } from "../raft/node/raft-node.js";
import type { PeerAddress } from "../raft/transport/tcp-transport.js";
import {
  CLIENT_HEADER,
  ErrorCode,
  RedirectError,
  RedirectReason,
  RonyError,
  SEQ_HEADER,
  type AnyMethod,
  type CallOptions,
  type Handler,
  type HandlerRegistry,
  type MethodDescriptor,
  type NodeInfo,
  type Transport,
} from "../rpc/index.js";
import { encodeCallEntry } from "./call-entry.js";
import { CallStateMachine, type AppliedCall } from "./call-state-machine.js";
import type { ReplicatedContext } from "./replicated-context.js";
import { serveSlotAdmin } from "./slots/slot-admin-rpcs.js";
import { SlotRanges } from "./slots/slot-ranges.js";
import type { SlotState } from "./slots/slot-table.js";
import { TUNNEL_HEADER, TunnelAuthenticator, clusterNodeId } from "./tunnel-auth.js";
import { TUNNEL_MAX_PAYLOAD, openTunnel } from "./tunnel-client.js";

/** How many times a call may be passed on between nodes before it fails (leaders changing under it). */
const MAX_HOPS = 3;
const HOPS_HEADER = "rony-hops";

export interface ReplicaMember {
  /** Raft id, > 0, unique in the replica set. */
  readonly id: number;
  /** The Raft transport's address. */
  readonly raft: PeerAddress;
  /** The edge's address: clients, redirects and the tunnel. */
  readonly edge: PeerAddress;
}

export interface ReplicaNodeOptions {
  readonly id: number;
  readonly replicaSet: number;
  readonly dataDir: string;
  /** Shared by every node of the cluster; authenticates the tunnel and the Raft transport. At least 16 characters. */
  readonly secret: string;
  /** Every member, this node included. */
  readonly members: readonly ReplicaMember[];
  /** The replicated connections (kind "raft") the services' models live on. */
  readonly stores?: readonly RaftStore[];
  /** What a follower does with a write (or a read without follower_ok); default "forward". */
  readonly followerCalls?: "forward" | "redirect";
  /** Deadline of a call inside the replica set (proposal, read index, tunnel hop); default 10 s. */
  readonly callTimeoutMs?: number;
  /**
   * The tunnel's limits, alike on every node: a peer's frame above tunnelMaxPayloadBytes (default
   * 256 MiB) closes its connection with 1009; a call this node would send over it fails alone.
   */
  readonly edge?: Omit<EdgeServerOptions<unknown>, "tunnel"> & { readonly tunnelIdleTimeoutSeconds?: number; readonly tunnelMaxPayloadBytes?: number };
  /**
   * Sharded services: the slots this replica set owns when it is new, as ranges ("0-8191"; "" for
   * none), alike on every member. Default all of them. Later the Raft slot table decides (moves).
   */
  readonly slots?: string;
  readonly raft?: Partial<Pick<RaftNodeOptions, "tickMs" | "electionTick" | "heartbeatTick" | "snapshotEntries" | "compactionMargin" | "walSegmentBytes" | "maxEntryBytes" | "maxFrameBytes" | "peerIdleTimeoutMs">>;
}

export interface ReplicaStatus {
  readonly id: number;
  readonly replicaSet: number;
  readonly role: RaftRole;
  /** 0 while no leader is known. */
  readonly leader: number;
  readonly term: number;
  readonly commitIndex: number;
  readonly appliedIndex: number;
  readonly edgePort: number;
}


/**
 * Where a sharded call runs (set by ClusterNode): `local` runs it on this replica set as a raft
 * call (on its leader), with the headers given; anything else sends it to the set owning its slot.
 */
export type ShardRoute = (
  method: AnyMethod,
  input: unknown,
  headers: Readonly<Record<string, string>>,
  via: string,
  local: (headers: Readonly<Record<string, string>>) => Promise<unknown>,
) => Promise<unknown>;

export class ReplicaNode {
  readonly id: number;
  /** The cluster-wide id, "<replicaSet>:<id>": what tunnels and the registry name this node by. */
  readonly clusterId: string;
  readonly edge: EdgeServer;
  /** Register replicated services here: `registerNotes(node.replicated, impl)`. */
  readonly replicated: HandlerRegistry<ReplicatedContext>;
  readonly #options: ReplicaNodeOptions;
  readonly #members: ReadonlyMap<number, ReplicaMember>;
  readonly #machine: CallStateMachine;
  readonly #tunnels = new Map<number, WebSocketTransport>();
  readonly #callTimeoutMs: number;
  #raft: RaftNode | undefined;
  #callsRun = 0;
  #shardRoute: ShardRoute | undefined;

  /** Register the services (`replicated` and `edge`), then start(): the log replays into them. */
  constructor(options: ReplicaNodeOptions) {
    this.id = options.id;
    this.clusterId = clusterNodeId(options.replicaSet, options.id);
    this.#options = options;
    this.#members = new Map(options.members.map((m) => [m.id, m]));
    if (!this.#members.has(options.id)) throw new Error(`node ${options.id} is not among the replica set's members`);
    this.#callTimeoutMs = options.callTimeoutMs ?? 10_000;
    this.#machine = new CallStateMachine(options.stores ?? [], options.replicaSet, SlotRanges.parse(options.slots ?? SlotRanges.ALL.toString()));
    const auth = new TunnelAuthenticator(options.secret, this.clusterId);
    const { tunnelIdleTimeoutSeconds, tunnelMaxPayloadBytes, ...edge } = options.edge ?? {};
    this.edge = new EdgeServer({
      ...edge,
      tunnel: { authorize: (h) => auth.verify(h[TUNNEL_HEADER]) !== undefined, maxPayloadBytes: tunnelMaxPayloadBytes ?? TUNNEL_MAX_PAYLOAD, idleTimeoutSeconds: tunnelIdleTimeoutSeconds },
    });
    serveSlotAdmin(this.edge, { raft: () => this.raft, admin: this.#machine.slots, callTimeoutMs: this.#callTimeoutMs, tunnel: (id) => this.tunnel(id) });
    this.replicated = {
      add: <I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, ReplicatedContext>) => {
        if (method.replication !== "raft" && method.replication !== "sharded") {
          throw new Error(`${method.service}.${method.name}: only a service with (rony.service).replication = REPLICATION_RAFT or REPLICATION_SHARDED runs on a replica set`);
        }
        if (this.#raft !== undefined) throw new Error(`${method.service}.${method.name}: register replicated services before start()`);
        this.#machine.add(method, handler as Handler<unknown, unknown, ReplicatedContext>);
        this.edge.add(method, (input, ctx) => this.#route(method, input, ctx) as Promise<O>);
      },
      addStream: (method) => {
        throw new Error(`${method.service}.${method.name}: streaming rpcs of replicated services do not run on a replica set yet`);
      },
    };
  }

  /**
   * Opens the Raft group (recovering from dataDir: the log replays into the services registered
   * by now, so register them all first) and listens on this member's edge port.
   */
  async start(): Promise<this> {
    if (this.#raft !== undefined) throw new Error("the replica node is already started");
    const options = this.#options;
    // An option given as undefined keeps RaftNode's default.
    const tuning = Object.fromEntries(Object.entries(options.raft ?? {}).filter(([, v]) => v !== undefined));
    // A call entry is the request's payload and headers: let every request the edge accepts in.
    const maxEntryBytes = (options.edge?.limits?.maxPayloadBytes ?? defaultLimits.maxPayloadBytes) + 64 * 1024;
    this.#raft = await RaftNode.start({
      maxEntryBytes,
      maxFrameBytes: Math.max(64 * 1024 * 1024, 4 * maxEntryBytes),
      ...tuning,
      id: options.id,
      dataDir: options.dataDir,
      peers: new Map(options.members.map((m) => [m.id, { ...m.raft }])),
      bootstrap: options.members.map((m) => m.id),
      stateMachine: this.#machine,
      secret: options.secret,
    });
    await this.edge.listen(this.#member(options.id).edge.port);
    return this;
  }

  get raft(): RaftNode {
    if (this.#raft === undefined) throw new Error("the replica node is not started");
    return this.#raft;
  }

  /** The slot table this node applied: what its replica set serves (owned) and is giving away (moving). */
  slotState(): SlotState {
    return this.#machine.slots.table.state();
  }

  /** Called after each change of this node's applied slot table; returns the unsubscribe. */
  onSlotChange(listener: (state: SlotState) => void): () => void {
    return this.#machine.slots.table.onChange(listener);
  }

  status(): ReplicaStatus {
    const s = this.raft.status();
    return { id: this.id, replicaSet: this.#options.replicaSet, role: s.role, leader: s.leaderId, term: s.term, commitIndex: s.commitIndex, appliedIndex: s.appliedIndex, edgePort: this.edge.port };
  }

  /** Replicated calls this node ran for its replica set: writes it led to commit, reads it answered. */
  get callsRun(): number {
    return this.#callsRun;
  }

  /** A member's edge, as a Redirect names it. */
  nodeInfo(id: number): NodeInfo {
    const { host, port } = this.#member(id).edge;
    return { id: String(id), addresses: [`ws://${host}:${port}${this.#options.edge?.wsPath ?? "/ws"}`, `http://${host}:${port}`], replicaSet: BigInt(this.#options.replicaSet) };
  }

  /**
   * The tunnel to a member: typed clients and cluster stubs run over it
   * (`new EchoClusterStub(node.tunnel(2)).ping({})`), internal rpcs included.
   */
  tunnel(id: number): WebSocketTransport {
    let transport = this.#tunnels.get(id);
    if (transport === undefined) {
      const { host, port } = this.#member(id).edge;
      transport = openTunnel({
        secret: this.#options.secret,
        from: this.clusterId,
        to: clusterNodeId(this.#options.replicaSet, id),
        host,
        port,
        timeoutMs: this.#callTimeoutMs,
        maxFrameBytes: this.#options.edge?.tunnelMaxPayloadBytes ?? TUNNEL_MAX_PAYLOAD,
      });
      this.#tunnels.set(id, transport);
    }
    return transport;
  }

  /** Calls reach the replica set's leader, wherever it is (sharded ones, their owner): the transport of cluster stubs. */
  leaderTransport(): Transport {
    return {
      call: <I, O>(method: MethodDescriptor<I, O>, input: I, options: CallOptions = {}) =>
        this.#enter(method, input, options.headers ?? {}, "tunnel") as Promise<O>,
    };
  }

  /** Sharded calls go through `route` first (the cluster node's slot routing). Before start(). */
  routeShardedCalls(route: ShardRoute): void {
    if (this.#raft !== undefined) throw new Error("set the shard route before start()");
    this.#shardRoute = route;
  }

  async stop(): Promise<void> {
    for (const t of this.#tunnels.values()) t.close();
    await this.edge.shutdown();
    await this.#raft?.stop();
  }

  #member(id: number): ReplicaMember {
    const m = this.#members.get(id);
    if (m === undefined) throw new RonyError(ErrorCode.INTERNAL, `node ${id} is not a member of replica set ${this.#options.replicaSet}`);
    return m;
  }

  #route(method: AnyMethod, input: unknown, ctx: EdgeContext): Promise<unknown> {
    // REST calls come with no request id; their callers (curl, browsers) cannot follow a Redirect
    // envelope, so a follower forwards them whatever followerCalls says.
    const via = ctx.via === "http" && ctx.requestId === 0 ? "rest" : ctx.via;
    return this.#enter(method, input, ctx.headers, via);
  }

  #enter(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string): Promise<unknown> {
    const route = this.#shardRoute;
    if (method.replication !== "sharded" || route === undefined) return this.#routeFrom(method, input, headers, via);
    return route(method, input, headers, via, (h) => this.#routeFrom(method, input, h, via));
  }

  #routeFrom(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string): Promise<unknown> {
    if (method.readOnly) {
      if (this.raft.isLeader() || method.followerOk) return this.#read(method, input, headers, via);
      return this.#toLeader(method, input, headers, via);
    }
    if (this.raft.isLeader()) return this.#propose(method, input, headers, via);
    return this.#toLeader(method, input, headers, via);
  }

  async #read(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string): Promise<unknown> {
    try {
      await this.raft.linearizableRead(this.#callTimeoutMs);
    } catch (e) {
      if (isRaftError(e, "NOT_LEADER") && !method.followerOk) return this.#toLeader(method, input, headers, via);
      throw unavailable(e, "the read could not be confirmed by a leader; it is safe to retry");
    }
    this.#callsRun++;
    return this.#machine.read(method, input, headers, this.raft.status().appliedIndex);
  }

  async #propose(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string): Promise<unknown> {
    const { [HOPS_HEADER]: _hops, ...replicated } = headers;
    const entry = encodeCallEntry({
      constructorId: method.constructorId,
      payload: method.input.encode(input).finish(),
      client: headers[CLIENT_HEADER] ?? "",
      seq: Number(headers[SEQ_HEADER] ?? 0) || 0,
      timeMs: Date.now(),
      seed: randomInt(2 ** 32),
      headers: replicated,
    });
    let applied: AppliedCall;
    try {
      applied = (await withDeadline(this.raft.propose(entry), this.#callTimeoutMs)) as AppliedCall;
    } catch (e) {
      // Not proposed at all: nothing to lose by trying the leader instead.
      if (isRaftError(e, "NOT_LEADER")) return this.#toLeader(method, input, headers, via);
      if (isRaftError(e, "ENTRY_TOO_LARGE")) throw new RonyError(ErrorCode.RESOURCE_EXHAUSTED, e.message);
      throw unavailable(e, `the outcome of ${method.name} is unknown; retry it with the same ${SEQ_HEADER} to run it at most once`);
    }
    this.#callsRun++;
    if (!applied.ok) throw applied.error;
    return applied.output;
  }

  async #toLeader(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string): Promise<unknown> {
    const hops = Number(headers[HOPS_HEADER] ?? 0) || 0;
    if (hops >= MAX_HOPS) throw new RonyError(ErrorCode.UNAVAILABLE, `${method.name} was passed on ${hops} times without reaching a leader; retry later`);
    let leader = this.raft.leader();
    if (leader === 0) {
      try {
        leader = await this.raft.waitForLeader(this.#callTimeoutMs);
      } catch (e) {
        throw unavailable(e, "replica set has no leader");
      }
    }
    if (leader === this.id) return this.#routeFrom(method, input, { ...headers, [HOPS_HEADER]: String(hops + 1) }, via);
    if (this.#options.followerCalls === "redirect" && (via === "ws" || via === "http")) {
      throw new RedirectError(RedirectReason.LEADER_ELSEWHERE, [this.nodeInfo(leader)]);
    }
    const tunnel = this.tunnel(leader);
    // A tunnel that lost its connection is to a leader that is likely dead: fail now, so the caller
    // retries on another node, instead of waiting out the deadline for a reconnect.
    if (tunnel.state === "reconnecting") throw new RonyError(ErrorCode.UNAVAILABLE, `the leader, node ${leader}, is unreachable; retry`);
    return tunnel.call(method, input, { headers: { ...headers, [HOPS_HEADER]: String(hops + 1) }, timeoutMs: this.#callTimeoutMs });
  }
}

function unavailable(cause: unknown, what: string): RonyError {
  if (cause instanceof RonyError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new RonyError(ErrorCode.UNAVAILABLE, `${what} (${reason})`);
}

function withDeadline<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RonyError(ErrorCode.UNAVAILABLE, `no result within ${ms} ms`)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}
