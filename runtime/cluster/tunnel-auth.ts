// Who may open a tunnel: a node that knows the cluster secret. The upgrade request carries
// `<from>.<to>.<time>.<nonce>.<HMAC-SHA256(secret, from.to.time.nonce)>`; a token is accepted once,
// within a minute of its time, and only by node <to> (each node remembers only the nonces it saw),
// so a recorded upgrade cannot be replayed to open a second tunnel, to that node or another.
// Nodes are named by their cluster-wide ids, "<replicaSet>:<raftId>" ("2:3"), so a node of one
// replica set opens tunnels to the nodes of another; <from> may also name a tool (a slot mover).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TUNNEL_HEADER = "x-rony-tunnel";
const WINDOW_MS = 60_000;
/** More fresh tokens than this within a window are refused: the nonce memory stays bounded. */
const MAX_NONCES = 100_000;
/** A tunnel id: no "." (the token's separator). */
const TUNNEL_ID = /^[A-Za-z0-9_:-]{1,128}$/;

/** The cluster-wide id of node `raftId` of a replica set, as tunnels and the registry name it. */
export function clusterNodeId(replicaSet: number, raftId: number): string {
  return `${replicaSet}:${raftId}`;
}

/** A token for node `from` to open a tunnel to node `to` (cluster-wide ids). */
export function tunnelToken(secret: string, from: string, to: string, nowMs = Date.now()): string {
  for (const id of [from, to]) if (!TUNNEL_ID.test(id)) throw new RangeError(`"${id}" is not a tunnel id: 1-128 letters, digits or "_:-"`);
  const claim = `${from}.${to}.${nowMs}.${randomBytes(12).toString("hex")}`;
  return `${claim}.${sign(secret, claim)}`;
}

export class TunnelAuthenticator {
  /** nonce → when it may be forgotten. */
  readonly #seen = new Map<string, number>();

  /** `self`: this node's cluster-wide id; tokens made for another node are refused. */
  constructor(
    readonly secret: string,
    readonly self: string,
  ) {
    if (secret.length < 16) throw new Error("the cluster secret must be at least 16 characters");
  }

  /** The id of the node a token proves, or undefined for a forged, stale or replayed one. */
  verify(token: string | undefined, nowMs = Date.now()): string | undefined {
    const parts = token?.split(".");
    if (parts === undefined || parts.length !== 5) return undefined;
    const [node, to, time, nonce, mac] = parts as [string, string, string, string, string];
    const claimed = Buffer.from(mac, "hex");
    const expected = Buffer.from(sign(this.secret, `${node}.${to}.${time}.${nonce}`), "hex");
    if (claimed.length !== expected.length || !timingSafeEqual(claimed, expected)) return undefined;
    if (to !== this.self || !TUNNEL_ID.test(node)) return undefined;
    const at = Number(time);
    if (!(Math.abs(nowMs - at) <= WINDOW_MS)) return undefined;
    this.#forgetOld(nowMs);
    if (this.#seen.has(nonce) || this.#seen.size >= MAX_NONCES) return undefined;
    this.#seen.set(nonce, at + WINDOW_MS);
    return node;
  }

  #forgetOld(nowMs: number): void {
    for (const [nonce, until] of this.#seen) {
      if (until >= nowMs) break; // insertion order is close to time order; a late one goes next time
      this.#seen.delete(nonce);
    }
  }
}

function sign(secret: string, claim: string): string {
  return createHmac("sha256", secret).update(claim).digest("hex");
}
