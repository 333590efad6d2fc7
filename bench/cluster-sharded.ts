// The cluster bench's sharded part, on two replica sets of three node processes serving Wallets
// (sharded-servers.ts), in interleaved rounds:
// - a sharded call for a set-1 wallet sent to a follower of set 2, which forwards it through the
//   tunnel to set 1's leader, against the same call sent to set 1's leader itself (Wallets.Set, a
//   write, and Wallets.Get, a read after ReadIndex), over one WebSocketTransport;
// - ClusterTransport with slotRouting (each call straight to its owner's leader) against
//   ClusterTransport without (every call to set 1's leader, which forwards set 2's to set 2), for
//   Wallets.Set over wallets of both sets, half each.
import { ClusterTransport, WebSocketTransport, slotOf } from "rony-ts/runtime/client";
import { SlotRanges } from "rony-ts/runtime/cluster";
import { WalletsClient } from "../generated/examples/wallets.rony.js";
import { header, interleaved, printRatio, printRun, type Call, type Target } from "./cluster-report.js";
import { startShardedCluster, type ShardedServers } from "./sharded-servers.js";

/** Wallets per set. */
const OWNERS = 256;

export interface ShardedOptions {
  readonly seconds: number;
  readonly rounds: number;
  readonly concurrency: readonly number[];
}

/** The first `n` owner names ("w<i>") whose slot `set` owns. */
function ownersOf(servers: ShardedServers, set: number, n: number): string[] {
  const slots = SlotRanges.parse(servers.slots.get(set)!);
  const owners: string[] = [];
  for (let i = 0; owners.length < n; i++) if (slots.has(slotOf(`w${i}`))) owners.push(`w${i}`);
  return owners;
}

const settled = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

/** A target calling Wallets through `transport()` with wallets `owners`. */
function walletsTarget(name: string, pids: number[], owners: readonly string[], method: "set" | "get", transport: () => WebSocketTransport | ClusterTransport): Target {
  return {
    name,
    pids,
    keys: owners.length,
    open: async () => {
      const t = transport();
      const wallets = new WalletsClient(t);
      const call: Call = method === "set" ? (k) => settled(wallets.set({ owner: owners[k]!, balance: BigInt(k) })) : (k) => settled(wallets.get({ owner: owners[k]! }));
      return { call, close: () => t.close() };
    },
  };
}

export async function shardedPart(dataDir: string, o: ShardedOptions): Promise<void> {
  console.log("Wallets (sharded by owner) on two replica sets of three node processes (demo:cluster's nodes, Redis registry): set 1 owns slots 0-8191, set 2 8192-16383.");
  console.log(`forwarded: to a follower of set 2, which forwards through its tunnel to set 1's leader; to owner: to set 1's leader; ${OWNERS} set-1 wallets.`);
  console.log(`slot map: ClusterTransport with slotRouting (straight to the owner's leader); one node: ClusterTransport without, every call to set 1's leader; ${OWNERS} wallets of each set.`);
  const servers = await startShardedCluster(dataDir);
  try {
    const ws = (node: string) => () => new WebSocketTransport(servers.wsUrl(node), { reconnect: false });
    const own = ownersOf(servers, 1, OWNERS);
    const other = ownersOf(servers, 2, OWNERS);
    const both = own.flatMap((w, i) => [w, other[i]!]);
    const urls = [1, 2].flatMap((set) => [servers.leaderOf(set), ...[1, 2, 3].map((id) => `${set}:${id}`).filter((id) => id !== servers.leaderOf(set))]).map(servers.wsUrl);
    const via = servers.followerOf(2);
    const owner = servers.leaderOf(1);
    const targets = [
      walletsTarget("Set, forwarded", servers.pids, own, "set", ws(via)),
      walletsTarget("Set, to owner", servers.pids, own, "set", ws(owner)),
      walletsTarget("Get, forwarded", servers.pids, own, "get", ws(via)),
      walletsTarget("Get, to owner", servers.pids, own, "get", ws(owner)),
      walletsTarget("Set, slot map", servers.pids, both, "set", () => new ClusterTransport(urls, { slotRouting: true })),
      walletsTarget("Set, one node", servers.pids, both, "set", () => new ClusterTransport([servers.wsUrl(owner)])),
    ];
    // every wallet exists before the first run reads it
    const seeder = new ClusterTransport(urls, { slotRouting: true });
    await Promise.all(both.map((w) => new WalletsClient(seeder).set({ owner: w, balance: 0n })));
    seeder.close();
    console.log(`forwarding node ${via}, set 1's leader ${owner}, set 2's leader ${servers.leaderOf(2)}`);

    const med = await interleaved(targets, o.concurrency, o.rounds, o.seconds);
    console.log();
    header();
    for (const conc of o.concurrency) for (const t of targets) printRun(t.name, conc, med.get(`${t.name}/${conc}`)!);
    for (const method of ["Set", "Get"]) {
      console.log(`\n${method}: forwarded / to owner (latency: lower is better; throughput: higher is better)`);
      for (const conc of o.concurrency) printRatio(med, `${method}, forwarded`, `${method}, to owner`, conc);
    }
    console.log("Set over both sets: slot map / one node");
    for (const conc of o.concurrency) printRatio(med, "Set, slot map", "Set, one node", conc);
  } finally {
    await servers.stop();
  }
}
