// Two replica sets of three node processes (set 1 owns slots 0-8191, set 2 8192-16383) with a
// Redis registry on a redis-server of the test's own: a sharded call reaches its owner from every
// node; a WRONG_SHARD redirect when asked for; a client's stale slot map corrected by a redirect;
// a SIGKILLed node leaves every other node's view within the registry's bound and returns after a
// restart; bad registry entries (malformed, forged, naming a dead address, stale, conflicting)
// are refused or outlived with a typed error and change no routing.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClusterTransport, RedirectError, RedirectReason, SHARD_REDIRECT_HEADER, SLOT_MAP, WebSocketTransport, slotOf, type SlotMapReply } from "rony-ts/runtime/client";
import { encodeEntry, type Announcement } from "rony-ts/runtime";
import type { ReplicaMember } from "rony-ts/runtime/cluster";
import { RedisFleet, sleep } from "../support/redis-server.js";
import { membersOn } from "./replica-set.js";
import { SECRET, type ShardNodeConfig } from "./shard-node.js";
import { SHARD_READ, SHARD_WRITE } from "./shard-service.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const entry = fileURLToPath(new URL("./shard-node-process.ts", import.meta.url));
const TTL_MS = 1_500;
const REFRESH_MS = 300;
/** How long after its death a node may stay in a view: its entry's TTL, then one full re-read. */
const BOUND_MS = TTL_MS + REFRESH_MS;
const SETS = [
  { id: 1, slots: "0-8191" },
  { id: 2, slots: "8192-16383" },
] as const;
const KEYS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const ownerOf = (key: string) => (slotOf(key) < 8192 ? 1 : 2);

let fleet: RedisFleet;
let redis: Redis;
let dataRoot = "";
const prefix = `shard-test-${process.pid}`;
const configs = new Map<string, ShardNodeConfig>();
const procs = new Map<string, ChildProcess>();
/** REGISTRY_ERROR lines each node printed: "<code> <subject>". */
const registryErrors = new Map<string, string[]>();
const clients: { close(): void }[] = [];

function spawnNode(cfg: ShardNodeConfig): Promise<void> {
  const id = `${cfg.replicaSet}:${cfg.id}`;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["--conditions=source", "--import", "tsx", entry, JSON.stringify(cfg)], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    procs.set(id, p);
    let pending = "";
    let err = "";
    const t = setTimeout(() => reject(new Error(`node ${id} did not start: ${err}`)), 60_000);
    p.stdout!.on("data", (d: Buffer) => {
      const lines = (pending + d.toString()).split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        const m = /^REGISTRY_ERROR (\S+) (.*)$/.exec(line);
        if (m) registryErrors.set(id, [...(registryErrors.get(id) ?? []), `${m[1]} ${m[2]}`]);
        if (line === "READY") {
          clearTimeout(t);
          resolve();
        }
      }
    });
    p.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    p.on("exit", (code, signal) => {
      clearTimeout(t);
      if (signal !== "SIGKILL") reject(new Error(`node ${id} exited ${code ?? signal}: ${err}`));
    });
  });
}

const urlOf = (id: string) => {
  const cfg = configs.get(id)!;
  const edge = cfg.members.find((m) => m.id === cfg.id)!.edge;
  return `ws://${edge.host}:${edge.port}/ws`;
};

function clientOf(id: string, headers?: Record<string, string>): WebSocketTransport {
  const c = new WebSocketTransport(urlOf(id), { timeoutMs: 10_000, headers, reconnect: false });
  clients.push(c);
  return c;
}

/** The node ids each replica set has in `id`'s view. */
async function viewOf(id: string): Promise<SlotMapReply> {
  const c = new WebSocketTransport(urlOf(id), { timeoutMs: 2_000, reconnect: false });
  try {
    return await c.call(SLOT_MAP, {});
  } finally {
    c.close();
  }
}

const nodeIds = (map: SlotMapReply) => map.replicaSets.flatMap((s) => s.nodes.map((n) => n.id)).sort();

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`${what} within ${ms} ms${last === undefined ? "" : ` (last: ${String(last)})`}`);
}

const ALL = ["1:1", "1:2", "1:3", "2:1", "2:2", "2:3"];

beforeAll(async () => {
  fleet = await RedisFleet.start({ count: 1 });
  redis = new Redis({ host: fleet.servers[0]!.host, port: fleet.servers[0]!.port, lazyConnect: true });
  await redis.connect();
  dataRoot = await mkdtemp(join(tmpdir(), "sharded-cluster-"));
  for (const set of SETS) {
    const members: ReplicaMember[] = await membersOn([1, 2, 3]);
    for (const m of members) {
      configs.set(`${set.id}:${m.id}`, {
        replicaSet: set.id,
        id: m.id,
        dataDir: join(dataRoot, `${set.id}-${m.id}`),
        members,
        slots: set.slots,
        redis: { host: fleet.servers[0]!.host, port: fleet.servers[0]!.port },
        prefix,
        ttlMs: TTL_MS,
        refreshMs: REFRESH_MS,
      });
    }
  }
  await Promise.all([...configs.values()].map(spawnNode));
  // Every node sees all six, with both sets' slots.
  for (const id of ALL) {
    await until(`${id} sees the whole cluster`, 30_000, async () => {
      const map = await viewOf(id);
      return nodeIds(map).join() === ALL.join() && JSON.stringify(map.ranges) === JSON.stringify([[0, 8191, 1], [8192, 16383, 2]]) ? map : undefined;
    });
  }
}, 120_000);

afterAll(async () => {
  for (const c of clients) c.close();
  for (const p of procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  redis?.disconnect();
  await fleet?.stop();
  if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
});

describe("a sharded cluster of two replica sets (six processes, Redis registry)", () => {
  it("runs a sharded call on the replica set owning its key's slot, from whichever node takes it", async () => {
    expect(new Set(KEYS.map(ownerOf))).toEqual(new Set([1, 2]));
    for (const key of KEYS) {
      for (const id of ALL) {
        const out = await clientOf(id).call(SHARD_WRITE, { key });
        expect({ key, via: id, ran: out.replicaSet }).toEqual({ key, via: id, ran: ownerOf(key) });
      }
      // each of the six writes ran once, on the owner (reads go to its leader)
      const read = await clientOf(ALL[0]!).call(SHARD_READ, { key });
      expect({ key, replicaSet: read.replicaSet, writes: read.writes }).toEqual({ key, replicaSet: ownerOf(key), writes: ALL.length });
    }
  }, 60_000);

  it("answers a caller that asks for redirects with WRONG_SHARD naming the owner set's nodes", async () => {
    const key = KEYS.find((k) => ownerOf(k) === 2)!;
    const error = await clientOf("1:1", { [SHARD_REDIRECT_HEADER]: "1" })
      .call(SHARD_WRITE, { key })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RedirectError);
    const redirect = error as RedirectError;
    expect(redirect.reason).toBe(RedirectReason.WRONG_SHARD);
    expect(redirect.targets.map((t) => t.id).sort()).toEqual(["2:1", "2:2", "2:3"]);
    expect(redirect.targets.every((t) => t.replicaSet === 2n)).toBe(true);
    // its own set's keys run where they land
    const own = KEYS.find((k) => ownerOf(k) === 1)!;
    expect((await clientOf("1:1", { [SHARD_REDIRECT_HEADER]: "1" }).call(SHARD_WRITE, { key: own })).replicaSet).toBe(1);
  });

  it("corrects a client's stale slot map with the redirect it gets, and the client then sends straight to the owner", async () => {
    // The client believes set 1 owns everything (as before a move).
    const set1 = ["1:1", "1:2", "1:3"].map((id) => ({ id, ws: urlOf(id), http: urlOf(id).replace("ws://", "http://").replace("/ws", "") }));
    const stale: SlotMapReply = { epoch: 1, ranges: [[0, 16383, 1]], replicaSets: [{ id: 1, nodes: set1 }] };
    const client = new ClusterTransport([urlOf("1:1")], { slotRouting: true, slotMap: stale, timeoutMs: 10_000 });
    clients.push(client);
    const key = KEYS.find((k) => ownerOf(k) === 2)!;
    expect(client.ownerOf(slotOf(key))).toBe(1);
    const out = await client.call(SHARD_WRITE, { key });
    expect(out.replicaSet).toBe(2);
    expect(client.ownerOf(slotOf(key))).toBe(2);
    // the redirect also made it ask for the whole map: every slot of set 2 is right again
    await until("the client relearned the map", 10_000, async () => (client.ownerOf(16383) === 2 && client.ownerOf(8192) === 2 ? true : undefined));
    expect(client.ownerOf(0)).toBe(1);
    for (const k of KEYS) expect((await client.call(SHARD_WRITE, { key: k })).replicaSet).toBe(ownerOf(k));
  }, 30_000);

  it("drops a SIGKILLed node from every other node's view within the registry's bound, and takes it back after a restart", async () => {
    const victim = "2:3";
    const others = ALL.filter((id) => id !== victim);
    procs.get(victim)!.kill("SIGKILL");
    const killedAt = Date.now();
    const gone = await Promise.all(
      others.map((id) =>
        until(`${id} dropped ${victim}`, BOUND_MS + 10_000, async () => (nodeIds(await viewOf(id)).includes(victim) ? undefined : Date.now() - killedAt)),
      ),
    );
    // polled every 100 ms over a loaded machine: a second of slack over the bound
    for (const ms of gone) expect(ms).toBeLessThanOrEqual(BOUND_MS + 1_000);
    // set 2's slots stay with set 2 (its data is there) and its calls still run, from every node
    for (const id of others) expect((await viewOf(id)).ranges).toEqual([[0, 8191, 1], [8192, 16383, 2]]);
    const key = KEYS.find((k) => ownerOf(k) === 2)!;
    for (const id of others) expect((await clientOf(id).call(SHARD_WRITE, { key })).replicaSet).toBe(2);

    await spawnNode(configs.get(victim)!);
    await Promise.all(ALL.map((id) => until(`${id} sees ${victim} again`, 15_000, async () => (nodeIds(await viewOf(id)).includes(victim) ? true : undefined))));
    expect((await clientOf(victim).call(SHARD_WRITE, { key: KEYS.find((k) => ownerOf(k) === 1)! })).replicaSet).toBe(1);
  }, 60_000);

  it("refuses malformed and forged registry entries, outlives one naming a dead address, ignores a stale slot claim and reports a conflicting one; routing is unchanged", async () => {
    const put = async (id: string, text: string) => {
      await redis.multi().set(`${prefix}:node:${id}`, text, "PX", 60_000).sadd(`${prefix}:nodes`, id).publish(`${prefix}:changes`, id).exec();
    };
    const fake = (id: string, replicaSet: string, port: number, more: Partial<Announcement> = {}): Announcement => ({
      id,
      replicaSet,
      edgeAddress: `127.0.0.1:${port}`,
      tunnelAddress: `127.0.0.1:${port}`,
      role: "follower",
      leaderTerm: 0,
      patterns: [],
      ...more,
    });
    const before = new Map<string, number>();
    for (const key of KEYS) before.set(key, (await clientOf("1:1").call(SHARD_READ, { key })).writes);

    await put("junk", "{ not json");
    // an announcement claiming every slot at a huge epoch, without the cluster secret
    await put("2:9", encodeEntry(fake("2:9", "1", 9, { role: "leader", leaderTerm: 99, slots: "0-16383", slotEpoch: 1_000 })));
    // signed, but its edge is a port nothing listens on: it claims to lead set 2
    await put("2:7", encodeEntry(fake("2:7", "2", 1, { role: "leader", leaderTerm: 1_000_000, slots: "8192-16383", slotEpoch: 1 }), SECRET));
    // signed, stale: set 1 claiming set 2's slots at an epoch below theirs
    await put("1:8", encodeEntry(fake("1:8", "1", 2, { slots: "8192-16383", slotEpoch: 0 }), SECRET));
    // signed, conflicting: a third set claiming some of set 2's slots at their epoch
    await put("3:1", encodeEntry(fake("3:1", "3", 3, { slots: "8192-9000", slotEpoch: 1 }), SECRET));

    for (const id of ALL) {
      await until(`${id} reported every bad entry`, 10_000, async () => {
        const seen = registryErrors.get(id) ?? [];
        return ["MALFORMED_ENTRY junk", "FORGED_ENTRY 2:9", "CONFLICTING_SLOTS 3:1"].every((e) => seen.includes(e)) ? true : undefined;
      });
      const map = await viewOf(id);
      expect(map.ranges).toEqual([[0, 8191, 1], [8192, 16383, 2]]);
      expect(nodeIds(map)).not.toContain("2:9");
      expect(nodeIds(map)).not.toContain("junk");
    }
    // the dead "leader" of set 2 is in the views, yet set 2's calls run from every node
    for (const id of ALL) {
      for (const key of KEYS) {
        const out = await clientOf(id).call(SHARD_WRITE, { key });
        expect({ via: id, key, ran: out.replicaSet }).toEqual({ via: id, key, ran: ownerOf(key) });
      }
    }
    // nothing lost: each key has every write it had, plus the six just made
    for (const key of KEYS) expect((await clientOf("2:1").call(SHARD_READ, { key })).writes).toBe(before.get(key)! + ALL.length);
  }, 90_000);
});
