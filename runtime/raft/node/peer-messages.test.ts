// What an authenticated peer sends cannot stop a node: a message no correct peer sends, a
// malformed or oversized frame, or half a frame and silence closes that connection (with a typed
// error reported), and the node goes on serving.
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../core/codec.js";
import { isRaftError } from "../core/errors.js";
import { MessageType, msg } from "../core/types.js";
import { frame } from "../transport/frame-decoder.js";
import type { TestCluster } from "./test-cluster.js";
import { dialAsPeer, leaderOf, sleep, startCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

const setup = async () => {
  cluster = await startCluster(3, { peerIdleTimeoutMs: 300 });
  const l = await leaderOf(cluster.nodes);
  await l.put("c", 1, "a", "1");
  const f = [...cluster.nodes.values()].find((k) => k !== l)!;
  return { c: cluster, l, f, port: cluster.peers.get(f.raft.id)!.port };
};

/** Sends bytes as peer `from` and resolves with the code the node reported when it closed the connection. */
const closedFor = async (c: TestCluster, port: number, to: number, bytes: Buffer, from = 3): Promise<string> => {
  const before = c.errors.get(to)!.length;
  const { socket, closed } = await dialAsPeer(port, from, to);
  socket.write(bytes);
  await closed;
  for (let i = 0; i < 100 && c.errors.get(to)!.length === before; i++) await sleep(5);
  return c.errors.get(to)![before]?.code ?? "nothing reported";
};

describe("a node facing a misbehaving peer", () => {
  it("refuses a Snap with no snapshot at the current term (it used to crash the process) and keeps serving", async () => {
    const { c, l, f, port } = await setup();
    const forged = frame(encodeMessage(msg({ type: MessageType.Snap, from: l.raft.id, to: f.raft.id, term: f.raft.status().term })));
    expect(await closedFor(c, port, f.raft.id, forged, l.raft.id)).toBe("INVALID_MESSAGE");
    expect(c.errors.get(f.raft.id)!.at(-1)!.message).toMatch(/no snapshot attached/);
    await l.put("c", 2, "a", "2");
    expect(await f.get("a")).toBe("2");
  });

  it("refuses garbage, an impossible frame length and a term-less vote, each on its own connection", async () => {
    const { c, l, f, port } = await setup();
    const id = f.raft.id;
    expect(await closedFor(c, port, id, frame(Buffer.from("not a raft message at all")))).toBe("DECODE");
    const huge = Buffer.alloc(8);
    huge.writeUInt32LE(0xffffffff, 0);
    expect(await closedFor(c, port, id, huge)).toBe("FRAME_TOO_LARGE");
    expect(await closedFor(c, port, id, frame(encodeMessage(msg({ type: MessageType.Vote, from: 3, to: id, term: 0 }))))).toBe("INVALID_MESSAGE");
    // a heartbeat claiming a commit index beyond this log: no correct leader sends it
    const commit = frame(encodeMessage(msg({ type: MessageType.Heartbeat, from: l.raft.id, to: id, term: f.raft.status().term, commit: 1e6 })));
    expect(await closedFor(c, port, id, commit, l.raft.id)).toBe("INVALID_MESSAGE");
    await l.put("c", 2, "a", "2");
    expect(await f.get("a")).toBe("2");
  });

  it("closes a connection that sends half a frame and stalls, after peerIdleTimeoutMs", async () => {
    const { c, f, port } = await setup();
    const half = frame(Buffer.alloc(1000)).subarray(0, 500);
    const t0 = Date.now();
    expect(await closedFor(c, port, f.raft.id, half)).toBe("IDLE_TIMEOUT");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(await f.get("a")).toBe("1");
  });

  it("a command the state machine refuses fails its proposal with that error; the cluster applies on", async () => {
    const { l, f } = await setup();
    const err = await f.raft.propose(new TextEncoder().encode("{ not json")).catch((e: unknown) => e);
    expect(isRaftError(err, "DECODE")).toBe(true);
    await f.put("c", 2, "a", "2");
    expect(await l.get("a")).toBe("2");
  });
});
