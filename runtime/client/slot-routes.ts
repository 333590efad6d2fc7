// What a ClusterTransport knows of a sharded cluster: which replica set owns each slot, and the
// addresses of each set's nodes (the one that answered last first). Learned whole from a node
// (rony.cluster.Slots.Map) and slot by slot from WRONG_SHARD redirects, which correct a stale map.
import { RedirectReason, SLOT_COUNT, type RedirectError } from "../rpc/index.js";
import type { SlotMapReply } from "./slot-map-rpc.js";

export class SlotRoutes {
  /** 0: owner unknown. */
  readonly #owner = new Uint32Array(SLOT_COUNT);
  readonly #urls = new Map<number, string[]>();
  #known = false;

  /** `protocol` picks the addresses kept: ws(s):// or http(s)://. */
  constructor(readonly protocol: "ws" | "http") {}

  /** Whether a whole map was learned yet. */
  get known(): boolean {
    return this.#known;
  }

  ownerOf(slot: number): number | undefined {
    const owner = this.#owner[slot];
    return owner === undefined || owner === 0 ? undefined : owner;
  }

  /** The addresses of a replica set's nodes, the preferred one first. */
  urlsOf(replicaSet: number): readonly string[] {
    return this.#urls.get(replicaSet) ?? [];
  }

  /** Takes a whole map (replacing the previous one). */
  learn(map: SlotMapReply): void {
    this.#owner.fill(0);
    for (const [first, last, set] of map.ranges) this.#owner.fill(set, first, last + 1);
    this.#urls.clear();
    for (const set of map.replicaSets) this.#urls.set(set.id, set.nodes.map((n) => (this.protocol === "http" ? n.http : n.ws)));
    this.#known = true;
  }

  /** A WRONG_SHARD redirect for a call in `slot`: its targets' replica set owns it. Returns that set. */
  learnRedirect(slot: number, redirect: RedirectError): number | undefined {
    if (redirect.reason !== RedirectReason.WRONG_SHARD) return undefined;
    const target = redirect.targets.find((t) => t.replicaSet > 0n && t.replicaSet <= 0xffff_ffffn);
    if (target === undefined) return undefined;
    const set = Number(target.replicaSet);
    this.#owner[slot] = set;
    const urls = redirect.targets.filter((t) => t.replicaSet === target.replicaSet).flatMap((t) => t.addresses.filter((a) => this.#wanted(a)));
    if (urls.length > 0) this.#urls.set(set, [...new Set([...urls, ...this.urlsOf(set)])]);
    return set;
  }

  /** The set's node `url` answered (or a redirect named it): try it first next time. */
  prefer(replicaSet: number, url: string): void {
    const urls = this.urlsOf(replicaSet);
    if (urls[0] !== url) this.#urls.set(replicaSet, [url, ...urls.filter((u) => u !== url)]);
  }

  /** The set's preferred node failed: move it last. */
  demote(replicaSet: number, url: string): void {
    const urls = this.urlsOf(replicaSet);
    if (urls.includes(url)) this.#urls.set(replicaSet, [...urls.filter((u) => u !== url), url]);
  }

  #wanted(address: string): boolean {
    return address.startsWith(`${this.protocol}:`) || address.startsWith(`${this.protocol}s:`);
  }
}
