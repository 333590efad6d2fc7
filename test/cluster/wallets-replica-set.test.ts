// The Wallets example on two replica sets in this process: set 1 (three nodes) owns the lower
// half of the slots, set 2 (one node) the upper half. The generated descriptors' shardKey decides
// which set runs a call; a set refuses an owner it does not serve, and Payments.Transfer moves
// money between wallets on the two sets.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallOptions, MethodDescriptor, Transport } from "rony-ts/runtime";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { SLOT_COUNT, SlotElsewhereError, openTunnel, slotOf, type ReplicaNode } from "rony-ts/runtime/cluster";
import { PaymentsClient, WalletsClient } from "../../generated/examples/wallets.rony.js";
import { SECRET, membersOn } from "./replica-set.js";
import { startWalletsNode, walletsOf } from "./wallets-node.js";

const owners = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"];
const low = owners.find((o) => slotOf(o) < SLOT_COUNT / 2)!;
const high = owners.find((o) => slotOf(o) >= SLOT_COUNT / 2)!;

describe("Wallets sharded over two replica sets", () => {
  let root = "";
  let set1: ReplicaNode[] = [];
  let set2: ReplicaNode[] = [];
  const opened: WebSocketTransport[] = [];

  // Until nodes route between sets themselves: by its slot, a call goes to the own set's leader,
  // or through a tunnel to the other set's first node (which forwards it to its leader).
  const bySlot = (node: ReplicaNode): Transport => ({
    call<I, O>(method: MethodDescriptor<I, O>, input: I, options?: CallOptions): Promise<O> {
      const owner = slotOf(method.shardKey!(input)) < SLOT_COUNT / 2 ? set1 : set2;
      return (owner.includes(node) ? node.leaderTransport() : tunnelTo(node, owner[0]!)).call(method, input, options);
    },
  });
  const tunnelTo = (from: ReplicaNode, to: ReplicaNode) => {
    const t = openTunnel({ secret: SECRET, from: from.clusterId, to: to.clusterId, host: "127.0.0.1", port: to.edge.port, timeoutMs: 15_000 });
    opened.push(t);
    return t;
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "wallets-"));
    const members1 = await membersOn([1, 2, 3]);
    const members2 = await membersOn([1]);
    set1 = await Promise.all(members1.map((m) => startWalletsNode({ id: m.id, replicaSet: 1, slots: `0-${SLOT_COUNT / 2 - 1}`, dataDir: join(root, `s1n${m.id}`), members: members1, payments: bySlot })));
    set2 = await Promise.all(members2.map((m) => startWalletsNode({ id: m.id, replicaSet: 2, slots: `${SLOT_COUNT / 2}-${SLOT_COUNT - 1}`, dataDir: join(root, `s2n${m.id}`), members: members2, payments: bySlot })));
  });
  afterAll(async () => {
    for (const t of opened) t.close();
    for (const n of [...set1, ...set2]) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  const transport = (n: ReplicaNode) => {
    const t = new WebSocketTransport(`ws://127.0.0.1:${n.edge.port}/ws`, { reconnect: false, timeoutMs: 15_000 });
    opened.push(t);
    return t;
  };

  it("runs a wallet's writes on every replica of the set that owns its slot", async () => {
    for (const node of set1) {
      await new WalletsClient(transport(node)).deposit({ owner: low, amount: 10n });
    }
    const expected = { owner: low, balance: 30n, version: 3n };
    expect(await new WalletsClient(transport(set1[2]!)).get({ owner: low })).toEqual(expected);
    // followers apply what the leader committed a moment later
    await expect.poll(() => Promise.all(set1.map((n) => walletsOf(n).wallet.get({ owner: low }))), { timeout: 5_000 }).toEqual([expected, expected, expected]);
  });

  it("is refused with SlotElsewhereError by a set that does not own the slot", async () => {
    const refused = await new WalletsClient(transport(set1[0]!)).set({ owner: high, balance: 5n }).catch((e: unknown) => e);
    const slot = SlotElsewhereError.from(refused);
    expect(slot?.slot).toBe(slotOf(high));
    expect(await walletsOf(set1[0]!).wallet.get({ owner: high })).toBeNull();
  });

  it("transfers between wallets owned by the two sets", async () => {
    await new WalletsClient(transport(set2[0]!)).set({ owner: high, balance: 100n });
    const reply = await new PaymentsClient(transport(set1[1]!)).transfer({ from: high, to: low, amount: 25n });
    expect(reply.from).toMatchObject({ owner: high, balance: 75n });
    expect(reply.to).toMatchObject({ owner: low, balance: 55n });
    expect(await walletsOf(set2[0]!).wallet.get({ owner: high })).toMatchObject({ balance: 75n });
    expect(await walletsOf(set2[0]!).wallet.get({ owner: low })).toBeNull();
  });
});
