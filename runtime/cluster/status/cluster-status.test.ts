import { describe, expect, it } from "vitest";
import { assembleClusterStatus, type AnnouncedNode } from "./cluster-status.js";
import type { NodeStats } from "./node-stats.js";

const at = new Date("2026-12-04T05:00:00Z");

function announced(id: string, extra: Partial<AnnouncedNode> = {}): AnnouncedNode {
  return { id, replicaSet: id.split(":")[0]!, edgeAddress: `127.0.0.1:${8000 + Number(id.split(":")[1])}`, role: "follower", leaderTerm: 1, ...extra };
}

function live(id: string, extra: Partial<NodeStats> = {}): NodeStats {
  return { id, replicaSet: id.split(":")[0]!, role: "follower", term: 2, leader: "", commitIndex: 10, appliedIndex: 10, callsPerSecond: 0, runPerSecond: 0, slots: "", slotEpoch: 0, moving: "", ...extra };
}

const self = (id: string, extra: Partial<NodeStats> = {}) => ({ ...live(id, extra), edgeAddress: `127.0.0.1:${8000 + Number(id.split(":")[1])}` });

describe("assembleClusterStatus", () => {
  it("shows each replica set with its live leader, indexes, slots and calls per second", () => {
    const nodes = ["1:1", "1:2", "1:3", "2:1", "2:2", "2:3"].map((id) => announced(id));
    const answers = new Map<string, NodeStats | Error>([
      ["1:2", live("1:2", { role: "leader", term: 4, leader: "1:2", commitIndex: 50, appliedIndex: 49, runPerSecond: 120, slots: "0-8191", slotEpoch: 1 })],
      ["1:3", live("1:3", { term: 4, leader: "1:2", commitIndex: 48, appliedIndex: 48, slots: "0-8191", slotEpoch: 1 })],
      ["2:1", live("2:1", { role: "leader", term: 2, leader: "2:1", commitIndex: 7, appliedIndex: 7, runPerSecond: 30.25, slots: "8192-16383", slotEpoch: 1 })],
      ["2:2", live("2:2", { runPerSecond: 5, slots: "8192-16383", slotEpoch: 1 })],
      ["2:3", live("2:3", { slots: "8192-16383", slotEpoch: 1 })],
    ]);
    const status = assembleClusterStatus(self("1:1", { term: 4, leader: "1:2", callsPerSecond: 9, slots: "0-8191", slotEpoch: 1 }), nodes, answers, { at });
    expect(status.self).toBe("1:1");
    expect(status.at).toBe("2026-12-04T05:00:00.000Z");
    expect(status.slotsServed).toBe(16384);
    expect(status.replicaSets).toEqual([
      { id: "1", leader: "1:2", term: 4, commitIndex: 50, appliedIndex: 49, slots: "0-8191", slotCount: 8192, slotEpoch: 1, moving: "", callsPerSecond: 120, members: 3, reachable: 3 },
      { id: "2", leader: "2:1", term: 2, commitIndex: 7, appliedIndex: 7, slots: "8192-16383", slotCount: 8192, slotEpoch: 1, moving: "", callsPerSecond: 35.3, members: 3, reachable: 3 },
    ]);
    expect(status.nodes.map((n) => [n.id, n.role, n.reachable])).toEqual([
      ["1:1", "follower", true],
      ["1:2", "leader", true],
      ["1:3", "follower", true],
      ["2:1", "leader", true],
      ["2:2", "follower", true],
      ["2:3", "follower", true],
    ]);
    expect(status.nodes[0]!.callsPerSecond).toBe(9);
  });

  it("shows a node that did not answer as down, and a set whose leader is down as leaderless", () => {
    // The registry (static: no expiry) still says 1:2 leads; only live answers name a leader.
    const nodes = [announced("1:1"), announced("1:2", { role: "leader", leaderTerm: 4 }), announced("1:3")];
    const answers = new Map<string, NodeStats | Error>([
      ["1:2", new Error("NodeStats got no reply in 500 ms")],
      ["1:3", live("1:3", { role: "candidate", term: 5, commitIndex: 60, appliedIndex: 58 })],
    ]);
    const status = assembleClusterStatus(self("1:1", { term: 5, commitIndex: 61, appliedIndex: 57 }), nodes, answers, { at });
    const down = status.nodes.find((n) => n.id === "1:2")!;
    expect(down).toMatchObject({ reachable: false, error: "NodeStats got no reply in 500 ms", role: "leader", term: 4, commitIndex: 0, callsPerSecond: 0 });
    expect(status.replicaSets[0]).toMatchObject({ leader: "", term: 5, commitIndex: 61, appliedIndex: 58, members: 3, reachable: 2 });
  });

  it("shows a node that stopped answering with the role and term of its last answer", () => {
    const nodes = [announced("1:1"), announced("1:2", { role: "follower", leaderTerm: 0 })];
    const lastSeen = new Map([["1:2", live("1:2", { role: "leader", term: 6 })]]);
    const status = assembleClusterStatus(self("1:1"), nodes, new Map([["1:2", new Error("gone")]]), { lastSeen, at });
    expect(status.nodes[1]).toMatchObject({ id: "1:2", reachable: false, role: "leader", term: 6, leaderTerm: 0 });
  });

  it("takes the leader with the highest term when two claim it (an old leader not yet told)", () => {
    const nodes = ["1:1", "1:2", "1:3"].map((id) => announced(id));
    const answers = new Map<string, NodeStats | Error>([
      ["1:2", live("1:2", { role: "leader", term: 3, commitIndex: 90 })],
      ["1:3", live("1:3", { role: "leader", term: 5, commitIndex: 80 })],
    ]);
    const status = assembleClusterStatus(self("1:1", { term: 5 }), nodes, answers, { at });
    expect(status.replicaSets[0]).toMatchObject({ leader: "1:3", term: 5, commitIndex: 80 });
  });

  it("takes a set's slots from the member with the highest slot epoch, live or announced", () => {
    const nodes = [announced("1:1"), announced("1:2", { slots: "0-99", slotEpoch: 7 }), announced("2:1", { slots: "100-199", slotEpoch: 3 })];
    const answers = new Map<string, NodeStats | Error>([
      ["1:2", new Error("down")],
      ["2:1", live("2:1", { slots: "100-299", slotEpoch: 8, moving: "200-299" })],
    ]);
    const status = assembleClusterStatus(self("1:1", { slots: "0-49", slotEpoch: 5 }), nodes, answers, { at });
    expect(status.replicaSets).toMatchObject([
      { id: "1", slots: "0-99", slotCount: 100, slotEpoch: 7, moving: "" },
      { id: "2", slots: "100-299", slotCount: 200, slotEpoch: 8, moving: "200-299" },
    ]);
    expect(status.slotsServed).toBe(300);
  });

  it("includes the answering node before it is announced, and sorts ids by number", () => {
    const nodes = ["1:10", "1:2", "10:1", "2:1"].map((id) => announced(id));
    const status = assembleClusterStatus(self("1:1", { role: "leader", term: 1 }), nodes, new Map(), { at });
    expect(status.nodes.map((n) => n.id)).toEqual(["1:1", "1:2", "1:10", "2:1", "10:1"]);
    expect(status.nodes.filter((n) => n.reachable).map((n) => n.id)).toEqual(["1:1"]);
    expect(status.nodes[1]!.error).toBe("not asked");
    expect(status.replicaSets.map((s) => s.id)).toEqual(["1", "2", "10"]);
  });
});
