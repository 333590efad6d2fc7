// Where the nodes of `npm run demo:cluster` live: two replica sets of three nodes on 127.0.0.1,
// each set serving half of the slots. The launcher writes it as JSON beside the nodes' data; each
// node process reads it (and, with the static registry, the registry file next to it).
import { writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Announcement } from "rony-ts/runtime";
import type { ReplicaMember } from "rony-ts/runtime/cluster";

export interface ClusterLayout {
  /** Shared by every node: authenticates tunnels, the Raft transport and registry entries. */
  readonly secret: string;
  /** Each node keeps its Raft log in <dataDir>/node-<set>-<id>. */
  readonly dataDir: string;
  /** The static registry's file, or a Redis registry's address and key prefix (one per run, so runs never mix). */
  readonly registry: { readonly file: string } | { readonly redis: { readonly host: string; readonly port: number }; readonly prefix: string };
  readonly sets: readonly { readonly id: number; readonly slots: string; readonly members: readonly ReplicaMember[] }[];
}

/** Two sets of three: edge and Raft ports taken in order from `ports` (12 of them). */
export function twoSetLayout(ports: readonly number[], dataDir: string, secret: string, redis?: { host: string; port: number }): ClusterLayout {
  if (ports.length < 12) throw new Error("a two-set layout needs 12 ports");
  const sets = [
    { id: 1, slots: "0-8191" },
    { id: 2, slots: "8192-16383" },
  ].map((set, s) => ({
    ...set,
    members: [1, 2, 3].map((id, i) => ({
      id,
      edge: { host: "127.0.0.1", port: ports[s * 3 + i]! },
      raft: { host: "127.0.0.1", port: ports[6 + s * 3 + i]! },
    })),
  }));
  return { secret, dataDir, registry: redis === undefined ? { file: join(dataDir, "registry.json") } : { redis, prefix: `rony:${basename(dataDir)}` }, sets };
}

/** What the static registry file lists for each node before it runs: a follower at term 0. */
export function initialAnnouncements(layout: ClusterLayout): Announcement[] {
  return layout.sets.flatMap((set) =>
    set.members.map((m) => ({
      id: `${set.id}:${m.id}`,
      replicaSet: String(set.id),
      edgeAddress: `${m.edge.host}:${m.edge.port}`,
      tunnelAddress: `${m.edge.host}:${m.edge.port}`,
      role: "follower" as const,
      leaderTerm: 0,
      patterns: [],
      slots: set.slots,
      slotEpoch: set.slots === "" ? 0 : 1,
    })),
  );
}

/** Writes the layout (and the static registry's file) into its dataDir; returns the layout's path. */
export function writeLayout(layout: ClusterLayout): string {
  const path = join(layout.dataDir, "cluster.json");
  writeFileSync(path, JSON.stringify(layout, null, 2));
  if ("file" in layout.registry) writeFileSync(layout.registry.file, JSON.stringify({ nodes: initialAnnouncements(layout) }, null, 2));
  return path;
}
