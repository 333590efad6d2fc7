import { hashTagOf } from "./hash-tag.js";
import { md5Point, md5Words } from "./md5.js";

/**
 * A ketama consistent-hash ring, point-for-point the continuum of libketama and of the npm
 * `hashring` package (md5, 40 × 4 points per server scaled by weight, server named
 * `host:port`), so a key maps to the same server as in those clients. Lookups hash the
 * key's `{hash tag}` when it has one.
 *
 * Own implementation rather than `hashring`: typed, no LRU cache to warm, a typed-array
 * continuum with a binary search, and the hash-tag rule; bench/redis.bench.ts compares both.
 */
export interface RingNode {
  /** The name hashed onto the ring; `host:port` for libketama compatibility. */
  readonly id: string;
  /** Relative share of keys; default 1. */
  readonly weight?: number;
}

const POINTS_PER_HASH = 4;
const HASHES_PER_SERVER = 40;

export class KetamaRing {
  readonly nodes: readonly RingNode[];
  private readonly points: Uint32Array;
  private readonly owners: Uint16Array;

  constructor(nodes: readonly RingNode[]) {
    if (nodes.length === 0) throw new RangeError("a ring needs at least one node");
    if (new Set(nodes.map((n) => n.id)).size !== nodes.length) throw new RangeError("ring node ids must be unique");
    this.nodes = nodes;
    const total = nodes.reduce((sum, n) => sum + (n.weight ?? 1), 0);
    const entries: { point: number; owner: number }[] = [];
    nodes.forEach((node, owner) => {
      const weight = node.weight ?? 1;
      if (!(weight > 0)) throw new RangeError(`weight of ${node.id} must be > 0`);
      const hashes = Math.floor((weight / total) * HASHES_PER_SERVER * nodes.length);
      for (let i = 0; i < hashes; i++) {
        const digest = md5Words(`${node.id}-${i}`);
        for (let j = 0; j < POINTS_PER_HASH; j++) entries.push({ point: digest[j]!, owner });
      }
    });
    // Stable sort: equal points keep server order, as in hashring.
    entries.sort((a, b) => a.point - b.point);
    this.points = Uint32Array.from(entries, (e) => e.point);
    this.owners = Uint16Array.from(entries, (e) => e.owner);
  }

  /** Index (into `nodes`) of the node that owns `key`. */
  indexOf(key: string): number {
    return this.indexOfHash(md5Point(hashTagOf(key)));
  }

  /** The node that owns `key`. */
  nodeOf(key: string): RingNode {
    return this.nodes[this.indexOf(key)]!;
  }

  /** First point at or after `hash`, wrapping around the ring. */
  private indexOfHash(hash: number): number {
    const points = this.points;
    let low = 0;
    let high = points.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (points[mid]! < hash) low = mid + 1;
      else high = mid;
    }
    return this.owners[low === points.length ? 0 : low]!;
  }
}
