// The transport admits only peers that prove the cluster secret: checked against real nodes'
// ports with raw sockets, a recorded handshake replayed, and a member with the wrong secret.
import type { Socket } from "node:net";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { encodeMessage } from "../core/codec.js";
import { isRaftError } from "../core/errors.js";
import { MessageType, msg } from "../core/types.js";
import { KvNode } from "../kv/kv-node.js";
import { frame } from "../transport/frame-decoder.js";
import { ACCEPTOR_PROOF_BYTES, DialerHandshake } from "../transport/handshake.js";
import type { TestCluster } from "./test-cluster.js";
import { TEST_SECRET, leaderOf, sleep, startCluster } from "./test-cluster.js";

let cluster: TestCluster | undefined;
afterEach(async () => {
  await cluster?.stopAll();
  cluster = undefined;
});

/** Connects, writes `bytes` (or lets `script` talk), and resolves with what came back once the node closes. */
const talk = (port: number, script: (s: Socket, received: () => Buffer) => void): Promise<Buffer> =>
  new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    let got = Buffer.alloc(0);
    s.on("data", (d: Buffer) => (got = Buffer.concat([got, d])));
    s.on("connect", () => script(s, () => got));
    s.on("error", () => undefined);
    s.on("close", () => resolve(got));
  });

const codes = (c: TestCluster, id: number) => c.errors.get(id)!.map((e) => e.code);

describe("peer authentication", () => {
  it("refuses to start with peers but no secret, or with a short one", async () => {
    const peers = new Map([
      [1, { host: "127.0.0.1", port: 1 }],
      [2, { host: "127.0.0.1", port: 2 }],
    ]);
    const base = { id: 1, dataDir: "/nonexistent", peers, bootstrap: [1, 2] };
    await expect(KvNode.start(base)).rejects.toThrow(/INVALID_CONFIG: node 1 has peers but no secret/);
    await expect(KvNode.start({ ...base, secret: "short" })).rejects.toThrow(/INVALID_CONFIG: the cluster secret must be at least 16 bytes/);
  });

  it("closes a connection that sends Raft messages without the handshake, and ignores them", async () => {
    cluster = await startCluster(3);
    const l = await leaderOf(cluster.nodes);
    await l.put("c", 1, "a", "1");
    const f = [...cluster.nodes.values()].find((k) => k !== l)!;
    const term = f.raft.status().term;
    // a well-formed heartbeat from a "leader" of a far higher term: accepted, it would depose everyone
    const forged = frame(encodeMessage(msg({ type: MessageType.Heartbeat, from: 9, to: f.raft.id, term: term + 100 })));
    const port = cluster.peers.get(f.raft.id)!.port;
    const back = await talk(port, (s) => s.write(Buffer.concat([forged, Buffer.alloc(100)])));
    expect(back.length).toBeLessThan(100); // nothing but the node's half of the handshake
    expect(f.raft.status().term).toBe(term);
    expect(codes(cluster, f.raft.id)).toContain("AUTH_FAILED");
    expect(await f.get("a")).toBe("1");
  });

  it("does not accept a recorded handshake played again", async () => {
    cluster = await startCluster(1, {}, 1);
    const n = await leaderOf(cluster.nodes);
    const port = cluster.peers.get(1)!.port;
    // a genuine dialer (it knows the secret) completes a handshake; an eavesdropper records its bytes
    const hs = new DialerHandshake(Buffer.from(TEST_SECRET), 2, 1);
    const recorded: Buffer[] = [];
    await talk(port, (s, received) => {
      const hello = hs.hello();
      recorded.push(hello);
      s.write(hello);
      const wait = setInterval(() => {
        if (received().length < ACCEPTOR_PROOF_BYTES) return;
        clearInterval(wait);
        const answer = hs.answer(received().subarray(0, ACCEPTOR_PROOF_BYTES));
        recorded.push(answer);
        s.end(answer);
      }, 5);
    });
    expect(codes(cluster, 1)).toEqual([]);
    // the replay meets a fresh acceptor nonce, so the recorded proof no longer matches
    await talk(port, (s) => s.write(Buffer.concat(recorded)));
    expect(codes(cluster, 1)).toEqual(["AUTH_FAILED"]);
    expect(cluster.errors.get(1)![0]!.message).toMatch(/did not prove the cluster secret/);
    expect(n.raft.status().role).toBe("leader");
  });

  it("keeps a member with the wrong secret out; the others elect and commit without it", async () => {
    cluster = await startCluster(2, {}, 1);
    const c = cluster;
    c.nodes.set(3, await c.start(3, { secret: "another-secret-0123456789", bootstrap: [1, 2, 3] }));
    // nodes 1 and 2 bootstrapped a 2-member cluster; node 3 believes in a 3-member one and keeps dialing
    const l = await leaderOf(new Map([...c.nodes].filter(([id]) => id !== 3)));
    await l.put("c", 1, "a", "1");
    for (let i = 0; i < 300 && !(codes(c, 3).includes("AUTH_FAILED") && codes(c, l.raft.id).includes("AUTH_FAILED")); i++) await sleep(10);
    // node 3 refuses the members' proofs, and they log its hanging up mid-handshake
    expect(c.errors.get(3)!.find((e) => e.code === "AUTH_FAILED")?.message).toMatch(/did not prove the cluster secret/);
    expect(c.errors.get(l.raft.id)!.find((e) => e.code === "AUTH_FAILED")?.message).toMatch(/hung up during the handshake/);
    expect(c.nodes.get(3)!.raft.status().leaderId).toBe(0);
    const err = await c.nodes.get(3)!.raft.linearizableRead(100).catch((e: unknown) => e);
    expect(isRaftError(err, "TIMEOUT")).toBe(true);
  });
});
