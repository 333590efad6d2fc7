import { describe, expect, it } from "vitest";
import { StaticRegistry, type Announcement } from "../registry/index.js";
import { ErrorCode, RedirectError, RedirectReason, RonyError, type AnyMethod } from "../rpc/index.js";
import { ClusterView } from "./cluster-view.js";
import { ShardRouter } from "./shard-router.js";
import { SlotElsewhereError } from "./slots/errors.js";
import { slotOf } from "./slots/slot-of.js";

const method = { service: "t.S", name: "Write", replication: "sharded", readOnly: false, shardKey: (i: { key: string }) => i.key } as unknown as AnyMethod;
const KEY = "alice";
const SLOT = slotOf(KEY);

const node = (set: number, id: number, slots: string, slotEpoch: number, role: Announcement["role"] = "follower"): Announcement => ({
  id: `${set}:${id}`,
  replicaSet: String(set),
  edgeAddress: `127.0.0.1:${1000 * set + id}`,
  tunnelAddress: "",
  role,
  leaderTerm: role === "leader" ? 3 : 0,
  patterns: [],
  slots,
  slotEpoch,
});

/** Node 1:1 of a cluster where set 1 owns every slot and set 2 none; calls for other sets come back as redirects. */
function routerOn(callTimeoutMs = 2_000) {
  const errors: string[] = [];
  const registry = new StaticRegistry([node(1, 1, "0-16383", 1, "leader"), node(1, 2, "0-16383", 1), node(2, 1, "", 0), node(2, 2, "", 0, "leader")]);
  registry.onError = (e) => errors.push(e.code);
  const view = new ClusterView(registry);
  view.start();
  const router = new ShardRouter({ replicaSet: 1, view, tunnelTo: () => { throw new Error("no tunnels here"); }, shardCalls: "redirect", callTimeoutMs, wsPath: "/ws" });
  const route = (local: () => Promise<unknown>) => router.route(method, { key: KEY }, {}, "ws", local);
  return { router, view, route, errors };
}

describe("ShardRouter", () => {
  it("runs a call for its own set's slot locally", async () => {
    const { route } = routerOn();
    expect(await route(async () => "ran here")).toBe("ran here");
  });

  it("on MOVED learns the new owner and routes the call there (here: a WRONG_SHARD redirect naming the owner's leader first)", async () => {
    const { route, view, router } = routerOn();
    const error = await route(async () => {
      throw new SlotElsewhereError(SLOT, 2, 2, false);
    }).catch((e: unknown) => e);
    expect(view.slots.ownerOf(SLOT)).toEqual({ replicaSet: 2, epoch: 2 });
    expect(error).toBeInstanceOf(RedirectError);
    expect((error as RedirectError).reason).toBe(RedirectReason.WRONG_SHARD);
    expect((error as RedirectError).targets.map((t) => t.id)).toEqual(["2:2", "2:1"]);
    expect((error as RedirectError).targets[0]!.addresses).toEqual(["ws://127.0.0.1:2002/ws", "http://127.0.0.1:2002"]);
    expect(router.rerouted).toBe(1);
  });

  it("hands the answer back to a member of its set that passed the call on, so that member learns it", async () => {
    const { router, view } = routerOn();
    const error = await router
      .route(method, { key: KEY }, { "rony-hops": "1" }, "tunnel", async () => {
        throw new SlotElsewhereError(SLOT, 2, 2, false);
      })
      .catch((e: unknown) => e);
    expect([SlotElsewhereError.from(error)?.owner, view.slots.ownerOf(SLOT)?.replicaSet, router.rerouted]).toEqual([2, 1, 0]);
    // and once it knows the owner, it answers such a member MOVED from its own map instead of forwarding
    view.learn(new SlotElsewhereError(SLOT, 2, 2, false));
    const moved = await router.route(method, { key: KEY }, { "rony-hops": "1" }, "tunnel", async () => "not here").catch((e: unknown) => e);
    expect(SlotElsewhereError.from(moved)).toMatchObject({ slot: SLOT, owner: 2, epoch: 2, moving: false });
  });

  it("retries a moving slot after short pauses until it is served", async () => {
    const { route } = routerOn();
    let tries = 0;
    const out = await route(async () => {
      if (++tries < 3) throw new SlotElsewhereError(SLOT, 2, 1, true);
      return "after the move";
    });
    expect([out, tries]).toEqual(["after the move", 3]);
  });

  it("gives up on a slot that stays moving at the call's deadline, with the moving answer", async () => {
    const { route } = routerOn(300);
    const error = await route(async () => {
      throw new SlotElsewhereError(SLOT, 2, 1, true);
    }).catch((e: unknown) => e);
    expect(SlotElsewhereError.from(error)?.moving).toBe(true);
  });

  it("does not loop on a MOVED answer older than what it knows, nor on one naming no owner", async () => {
    const { route, view } = routerOn();
    let tries = 0;
    const stale = await route(async () => {
      tries++;
      throw new SlotElsewhereError(SLOT, 2, 0, false);
    }).catch((e: unknown) => e);
    expect([SlotElsewhereError.from(stale)?.epoch, tries, view.slots.ownerOf(SLOT)?.replicaSet]).toEqual([0, 1, 1]);
    const ownerless = await route(async () => {
      throw new SlotElsewhereError(SLOT, undefined, 1, false);
    }).catch((e: unknown) => e);
    expect(SlotElsewhereError.from(ownerless)?.owner).toBeUndefined();
  });

  it("fails UNAVAILABLE for a slot no replica set is known to serve, and INTERNAL for a sharded method without shardKey", async () => {
    const registry = new StaticRegistry([node(1, 1, "0-99", 1)]);
    const view = new ClusterView(registry);
    view.start();
    const router = new ShardRouter({ replicaSet: 1, view, tunnelTo: () => { throw new Error("no tunnels here"); }, callTimeoutMs: 1_000, wsPath: "/ws" });
    const error = await router.route(method, { key: KEY }, {}, "ws", async () => "no").catch((e: unknown) => e);
    expect(RonyError.is(error, ErrorCode.UNAVAILABLE) && error.message).toMatch(new RegExp(`no replica set is known to serve slot ${SLOT}`));
    expect(() => router.slotOf({ ...method, shardKey: undefined }, {})).toThrow(/no shardKey/);
  });
});
