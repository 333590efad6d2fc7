import { describe, expect, it } from "vitest";
import { RonyError } from "../rpc/index.js";
import { RedirectError, RedirectReason } from "../rpc/redirect.js";
import { SLOT_MAP, validateSlotMap, type SlotMapReply } from "./slot-map-rpc.js";
import { SlotRoutes } from "./slot-routes.js";

const map: SlotMapReply = {
  epoch: 2,
  ranges: [[0, 99, 1], [100, 16383, 2]],
  replicaSets: [
    { id: 1, nodes: [{ id: "1:1", ws: "ws://h:1/ws", http: "http://h:1" }] },
    { id: 2, nodes: [{ id: "2:1", ws: "ws://h:2/ws", http: "http://h:2" }, { id: "2:2", ws: "ws://h:3/ws", http: "http://h:3" }] },
  ],
};

describe("the slot map a client learns", () => {
  it("round-trips through its codec", () => {
    expect(SLOT_MAP.output.decode(SLOT_MAP.output.encode(map).finish())).toEqual(map);
  });

  it.each([
    ["not JSON", "{"],
    ["overlapping ranges", JSON.stringify({ ...map, ranges: [[0, 99, 1], [50, 16383, 2]] })],
    ["a slot past 16383", JSON.stringify({ ...map, ranges: [[0, 16384, 1]] })],
    ["replica set 0", JSON.stringify({ ...map, ranges: [[0, 5, 0]] })],
    ["a node address that is not a ws URL", JSON.stringify({ ...map, replicaSets: [{ id: 1, nodes: [{ id: "1:1", ws: "javascript:alert(1)", http: "http://h:1" }] }] })],
    ["a negative epoch", JSON.stringify({ ...map, epoch: -1 })],
  ])("refuses %s with a typed error", (_, text) => {
    expect(() => SLOT_MAP.output.decode(new TextEncoder().encode(text))).toThrow(RonyError);
    expect(() => validateSlotMap(null)).toThrow(/not an object/);
  });

  it("is corrected slot by slot by a WRONG_SHARD redirect, its targets' addresses tried first", () => {
    const routes = new SlotRoutes("ws");
    routes.learn(map);
    expect([routes.ownerOf(5), routes.urlsOf(1)]).toEqual([1, ["ws://h:1/ws"]]);
    const redirect = new RedirectError(RedirectReason.WRONG_SHARD, [{ id: "2:2", addresses: ["ws://h:3/ws", "http://h:3"], replicaSet: 2n }]);
    expect(routes.learnRedirect(5, redirect)).toBe(2);
    expect([routes.ownerOf(5), routes.ownerOf(6), routes.urlsOf(2)]).toEqual([2, 1, ["ws://h:3/ws", "ws://h:2/ws"]]);
    // a leader redirect says nothing about slots
    expect(routes.learnRedirect(7, new RedirectError(RedirectReason.LEADER_ELSEWHERE, redirect.targets))).toBeUndefined();
    expect(routes.ownerOf(7)).toBe(1);
  });
});
