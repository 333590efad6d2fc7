// Where a sharded call goes, on any node of the cluster: its slot (slotOf the shard key) names the
// owning replica set in the view's slot map; this node's own set runs it locally (as a raft call,
// on its leader); another set's call goes through the tunnel to that set's leader (or, when the
// leader is unknown or unreachable, to a member, which forwards it to its leader) — or, with
// redirects, the caller gets a WRONG_SHARD Redirect naming the owner set's nodes.
// The owner's answer may be a SlotElsewhereError (the call did not run): MOVED teaches the view
// the new owner and the call is routed again; "moving" is retried after a short pause, within the
// call's deadline. Both are bounded: a few re-routes here, a few hops between sets.
import { SHARD_REDIRECT_HEADER } from "../client/slot-map-rpc.js";
import type { WebSocketTransport } from "../client/ws-transport.js";
import type { NodeAnnouncement } from "../registry/index.js";
import { ErrorCode, RedirectError, RedirectReason, RonyError, type AnyMethod, type NodeInfo } from "../rpc/index.js";
import type { ClusterView } from "./cluster-view.js";
import { SlotElsewhereError } from "./slots/errors.js";
import { slotOf } from "./slots/slot-of.js";

/** How many times a call was passed on from one replica set to another. */
export const SHARD_HOPS_HEADER = "rony-shard-hops";
/** The hop count inside a replica set (ReplicaNode's); each set the call reaches starts it anew. */
const SET_HOPS_HEADER = "rony-hops";
const MAX_SHARD_HOPS = 3;
const MAX_REROUTES = 4;
const FIRST_PAUSE_MS = 25;
const MAX_PAUSE_MS = 400;
/** How long a tunnel that is still connecting may take before the next member is tried. */
const CONNECT_WAIT_MS = 1_000;

export interface ShardRouterOptions {
  readonly replicaSet: number;
  readonly view: ClusterView;
  readonly tunnelTo: (node: NodeAnnouncement) => WebSocketTransport;
  /** "forward" (default) or "redirect" (ws and http callers get a Redirect; REST is always forwarded). */
  readonly shardCalls?: "forward" | "redirect";
  readonly callTimeoutMs: number;
  /** The WebSocket path of every node's edge, for the addresses a Redirect names. */
  readonly wsPath: string;
}

export class ShardRouter {
  readonly #o: ShardRouterOptions;
  /** Calls this node sent to another replica set, and calls routed again after a MOVED answer. */
  forwarded = 0;
  rerouted = 0;

  constructor(options: ShardRouterOptions) {
    this.#o = options;
  }

  slotOf(method: AnyMethod, input: unknown): number {
    if (method.shardKey === undefined) throw new RonyError(ErrorCode.INTERNAL, `${method.service}.${method.name} is sharded but its descriptor has no shardKey (regenerate the code)`);
    return slotOf(method.shardKey(input));
  }

  /** A ShardRoute for ReplicaNode.routeShardedCalls. */
  async route(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string, local: (headers: Readonly<Record<string, string>>) => Promise<unknown>): Promise<unknown> {
    const slot = this.slotOf(method, input);
    const passedOn = (Number(headers[SET_HOPS_HEADER] ?? 0) || 0) > 0;
    const deadline = Date.now() + this.#o.callTimeoutMs;
    let pause = FIRST_PAUSE_MS;
    for (let reroutes = 0; ; reroutes++) {
      const known = this.#o.view.slots.ownerOf(slot);
      const owner = known?.replicaSet;
      try {
        if (owner === undefined) throw new RonyError(ErrorCode.UNAVAILABLE, `no replica set is known to serve slot ${slot}`, "slot");
        if (owner === this.#o.replicaSet) return await local(headers);
        // A member passed it on for this set to run: tell it where the slot is, so it learns.
        if (passedOn) throw new SlotElsewhereError(slot, owner, known!.epoch, false);
        return await this.#elsewhere(method, input, headers, via, owner, slot, deadline);
      } catch (e) {
        const answer = SlotElsewhereError.from(e);
        // A call a member of this set passed on to its leader goes back with the answer: the
        // member that took it routes it, and learns the MOVED it would otherwise never see.
        if (answer === undefined || reroutes >= MAX_REROUTES || passedOn) throw e;
        if (answer.moving) {
          if (Date.now() + pause >= deadline) throw e;
          await sleep(pause);
          pause = Math.min(2 * pause, MAX_PAUSE_MS);
        } else {
          this.#o.view.learn(answer);
          // Nothing learned (no owner named, or an answer older than what we know): do not loop.
          if (this.#o.view.slots.ownerOf(slot)?.replicaSet === owner) throw e;
        }
        this.rerouted++;
      }
    }
  }

  /** The owner set's nodes as a Redirect names them: its leader first. */
  targets(replicaSet: number): NodeAnnouncement[] {
    const set = this.#o.view.replicaSet(replicaSet);
    if (set === undefined) return [];
    return set.leader === undefined ? [...set.members] : [set.leader, ...set.members.filter((m) => m !== set.leader)];
  }

  nodeInfo(node: NodeAnnouncement): NodeInfo {
    return { id: node.id, addresses: [`ws://${node.edgeAddress}${this.#o.wsPath}`, `http://${node.edgeAddress}`], replicaSet: BigInt(node.replicaSet) };
  }

  async #elsewhere(method: AnyMethod, input: unknown, headers: Readonly<Record<string, string>>, via: string, owner: number, slot: number, deadline: number): Promise<unknown> {
    const hops = Number(headers[SHARD_HOPS_HEADER] ?? 0) || 0;
    if (hops >= MAX_SHARD_HOPS) throw new RonyError(ErrorCode.UNAVAILABLE, `${method.name} was passed between replica sets ${hops} times without reaching the owner of slot ${slot}; retry later`);
    const targets = this.targets(owner);
    if (targets.length === 0) throw new RonyError(ErrorCode.UNAVAILABLE, `replica set ${owner} owns slot ${slot}, but none of its nodes is in the registry`);
    const { [SET_HOPS_HEADER]: _setHops, [SHARD_REDIRECT_HEADER]: wantsRedirect, ...rest } = headers;
    if ((this.#o.shardCalls === "redirect" || wantsRedirect === "1") && (via === "ws" || via === "http")) {
      throw new RedirectError(RedirectReason.WRONG_SHARD, targets.map((t) => this.nodeInfo(t)));
    }
    for (const node of targets) {
      const tunnel = this.#o.tunnelTo(node);
      // Only a tunnel that is open gets the call: one that cannot connect has sent nothing, so the
      // next member may be tried without running the call twice.
      if (!(await isOpen(tunnel, Math.min(CONNECT_WAIT_MS, deadline - Date.now())))) continue;
      this.forwarded++;
      return await tunnel.call(method, input, { headers: { ...rest, [SHARD_HOPS_HEADER]: String(hops + 1) }, timeoutMs: Math.max(1, deadline - Date.now()) });
    }
    throw new RonyError(ErrorCode.UNAVAILABLE, `replica set ${owner} owns slot ${slot}, but none of its nodes (${targets.map((t) => t.id).join(", ")}) is reachable; retry later`);
  }
}

/** Whether the tunnel is open, or opens within `ms` (false at once when it is reconnecting). */
function isOpen(tunnel: WebSocketTransport, ms: number): Promise<boolean> {
  if (tunnel.state === "open") return Promise.resolve(true);
  if (tunnel.state === "reconnecting" || tunnel.state === "closed" || ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      off();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    const off = tunnel.onStateChange((s) => {
      if (s === "open") done(true);
      else if (s === "reconnecting" || s === "closed") done(false);
    });
    tunnel.connect().catch(() => undefined);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
