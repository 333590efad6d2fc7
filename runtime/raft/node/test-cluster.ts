// Helpers for tests that run real RaftNodes over loopback TCP and temporary data directories.
import { mkdtemp, rm } from "node:fs/promises";
import type { Socket } from "node:net";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RaftError } from "../core/errors.js";
import { isRaftError } from "../core/errors.js";
import { KvNode } from "../kv/kv-node.js";
import type { KvNodeOptions } from "../kv/kv-node.js";
import { ACCEPTOR_PROOF_BYTES, DialerHandshake } from "../transport/handshake.js";
import type { PeerAddress } from "../transport/tcp-transport.js";

export const TEST_SECRET = "test-cluster-secret-0123456789";

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export type ExtraOptions = Partial<Omit<KvNodeOptions, "id" | "dataDir" | "peers" | "bootstrap">>;

export interface TestCluster {
  nodes: Map<number, KvNode>;
  peers: Map<number, PeerAddress>;
  ids: number[];
  /** Errors each node reported through onError. */
  errors: Map<number, RaftError[]>;
  start(id: number, extra?: ExtraOptions & { bootstrap?: number[] }): Promise<KvNode>;
  stopAll(): Promise<void>;
}

/** n servers (and `spare` more addresses for servers added later) with tickMs 10; stopAll() cleans up. */
export const startCluster = async (n: number, extra: ExtraOptions = {}, spare = 0): Promise<TestCluster> => {
  const root = await mkdtemp(join(tmpdir(), "raft-node-"));
  const peers = new Map<number, PeerAddress>();
  for (let id = 1; id <= n + spare; id++) peers.set(id, { host: "127.0.0.1", port: await freePort() });
  const ids = [...peers.keys()].slice(0, n);
  const nodes = new Map<number, KvNode>();
  const errors = new Map<number, RaftError[]>();
  const start = (id: number, more: ExtraOptions & { bootstrap?: number[] } = {}) => {
    const seen: RaftError[] = [];
    errors.set(id, seen);
    return KvNode.start({
      id,
      dataDir: join(root, `n${id}`),
      peers: new Map(peers),
      bootstrap: ids.includes(id) ? ids : [],
      secret: TEST_SECRET,
      tickMs: 10,
      walSegmentBytes: 1024 * 1024,
      onError: (e) => seen.push(e),
      ...extra,
      ...more,
    });
  };
  for (const id of ids) nodes.set(id, await start(id));
  const stopAll = async () => {
    for (const k of nodes.values()) await k.stop();
    await rm(root, { recursive: true, force: true });
  };
  return { nodes, peers, ids, errors, start, stopAll };
};

export const leaderOf = async (nodes: Map<number, KvNode>): Promise<KvNode> => {
  for (let i = 0; i < 1000; i++) {
    for (const k of nodes.values()) if (k.raft.isLeader()) return k;
    await sleep(10);
  }
  throw new Error("no leader");
};

/** Retries what a client would retry: no leader known yet, leadership moving, an outcome unknown. */
export const eventually = async <T>(f: () => Promise<T>): Promise<T> => {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      const retriable = ["NOT_LEADER", "TIMEOUT", "LEADERSHIP_LOST", "PROPOSAL_TIMEOUT", "PROPOSAL_DROPPED"].some((c) => isRaftError(e, c as never));
      if (i > 300 || !retriable) throw e;
      await sleep(20);
    }
  }
};

/** A connection to a node's Raft port that passed the handshake as member `from`: what a peer can send. */
export const dialAsPeer = (port: number, from: number, to: number): Promise<{ socket: Socket; closed: Promise<void> }> =>
  new Promise((resolve, reject) => {
    const hs = new DialerHandshake(Buffer.from(TEST_SECRET), from, to);
    const socket = connect(port, "127.0.0.1", () => socket.write(hs.hello()));
    const closed = new Promise<void>((r) => socket.on("close", () => r()));
    let got = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length < ACCEPTOR_PROOF_BYTES) return;
      socket.off("data", onData);
      socket.write(hs.answer(got.subarray(0, ACCEPTOR_PROOF_BYTES)));
      resolve({ socket, closed });
    };
    socket.on("data", onData);
    socket.on("error", reject);
  });
