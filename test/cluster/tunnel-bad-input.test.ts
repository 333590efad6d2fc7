// Bad input on a replica set's node-to-node ports, sent over real sockets to real nodes: an
// authenticated tunnel peer's malformed frames, a replayed upgrade token, half a WebSocket frame
// and silence, an oversized frame, and a Raft-port dialer stalling in the handshake. Each gets a
// typed error or a closed connection; afterwards the replica set still takes a write that every
// node reads back.
import { mkdtemp, rm } from "node:fs/promises";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONTAINER_ID, ErrorCode, RPC_ERROR_ID, RonyError, decodeEnvelope, decodeRpcError, encodeContainer, encodeEnvelope, type Envelope } from "rony-ts/runtime/client";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { TUNNEL_HEADER, tunnelToken, type ReplicaMember, type ReplicaNode } from "rony-ts/runtime/cluster";
import { EchoIds, MessageIds as EchoMessageIds } from "../../generated/examples/echo.rony.js";
import { PingRequest, Pong } from "../../generated/examples/echo.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";
import { SECRET, membersOn, startNotesNode } from "./replica-set.js";

const IDLE_SECONDS = 8; // uWS's smallest idle timeout
const MAX_PAYLOAD = 64 * 1024;
const PEER_IDLE_MS = 500;

const tunnelUrl = (n: ReplicaNode) => `ws://127.0.0.1:${n.edge.port}/tunnel`;

/** The upgrade's answer: 101 when the tunnel opened (it is closed again at once), else the HTTP status. */
function upgradeStatus(node: ReplicaNode, token: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(tunnelUrl(node), { headers: { [TUNNEL_HEADER]: token } });
    ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.on("open", () => {
      ws.close();
      resolve(101);
    });
    ws.on("error", () => resolve(-1));
  });
}

/** An authenticated tunnel connection, as a peer node opens it, collecting the envelopes it receives. */
async function openTunnel(node: ReplicaNode): Promise<{ ws: WebSocket; reply: (frame: Uint8Array) => Promise<Envelope>; closed: Promise<number> }> {
  const ws = new WebSocket(tunnelUrl(node), { headers: { [TUNNEL_HEADER]: tunnelToken(SECRET, "1:2", node.clusterId) } });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  ws.on("error", () => undefined);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
  });
  const waiting: ((env: Envelope) => void)[] = [];
  ws.on("message", (data: Buffer) => waiting.shift()?.(decodeEnvelope(new Uint8Array(data))));
  // Errors for unreadable frames are answered synchronously, so replies come back in send order.
  const reply = (frame: Uint8Array) =>
    new Promise<Envelope>((resolve) => {
      waiting.push(resolve);
      ws.send(frame);
    });
  return { ws, reply, closed };
}

function rpcError(env: Envelope): { requestId: number; code: ErrorCode; message: string } {
  expect(env.constructorId).toBe(RPC_ERROR_ID);
  const e = decodeRpcError(env.payload);
  return { requestId: env.requestId, code: e.code, message: e.message };
}

const pingCall = (requestId: number): Envelope => ({ constructorId: EchoIds.Ping, requestId, payload: PingRequest.encode({}).finish(), headers: {} });
const ping = (requestId: number) => encodeEnvelope(pingCall(requestId));

async function leaderOf(nodes: readonly ReplicaNode[]): Promise<ReplicaNode> {
  for (let i = 0; i < 500; i++) {
    const leader = nodes.find((n) => n.raft.isLeader());
    if (leader !== undefined) return leader;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no leader");
}

/** Resolves with how long the server took to close a raw socket that sent `bytes` and fell silent. */
function closedAfter(socket: Socket, bytes: Buffer): Promise<number> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    socket.on("close", () => resolve(Date.now() - t0));
    socket.on("error", () => undefined);
    socket.write(bytes);
  });
}

describe("bad input on a replica set's node-to-node ports", () => {
  let root = "";
  let nodes: ReplicaNode[] = [];
  let members: ReplicaMember[] = [];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "tunnel-bad-input-"));
    members = await membersOn([1, 2, 3]);
    nodes = await Promise.all(
      members.map((m) =>
        startNotesNode({ id: m.id, dataDir: join(root, `n${m.id}`), members, peerIdleTimeoutMs: PEER_IDLE_MS, tunnel: { idleTimeoutSeconds: IDLE_SECONDS, maxPayloadBytes: MAX_PAYLOAD } }),
      ),
    );
  });
  afterAll(async () => {
    for (const n of nodes) await n.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("answers each malformed frame of an authenticated peer with a typed RpcError and goes on serving it", async () => {
    const { ws, reply } = await openTunnel(nodes[0]!);
    const garbage = rpcError(await reply(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(garbage).toMatchObject({ requestId: 0, code: ErrorCode.INVALID_ARGUMENT });

    const unknown = rpcError(await reply(encodeEnvelope({ constructorId: 0x0badf00d, requestId: 5, payload: new Uint8Array(), headers: {} })));
    expect(unknown).toMatchObject({ requestId: 5, code: ErrorCode.UNIMPLEMENTED });
    expect(unknown.message).toMatch(/unknown constructor 0x0badf00d/);

    const whole = ping(6);
    const truncated = rpcError(await reply(whole.subarray(0, whole.length - 1)));
    expect(truncated).toMatchObject({ requestId: 0, code: ErrorCode.INVALID_ARGUMENT });

    const nested: Envelope = { constructorId: CONTAINER_ID, requestId: 8, payload: encodeContainer([pingCall(9)]), headers: {} };
    const outer = encodeEnvelope({ constructorId: CONTAINER_ID, requestId: 7, payload: encodeContainer([nested]), headers: {} });
    const nesting = rpcError(await reply(outer));
    expect(nesting).toMatchObject({ requestId: 8, code: ErrorCode.INVALID_ARGUMENT });
    expect(nesting.message).toMatch(/containers do not nest/);

    // the same connection still serves a call (an internal one: only the tunnel reaches it)
    const pong = await reply(ping(10));
    expect(pong).toMatchObject({ constructorId: EchoMessageIds.Pong, requestId: 10 });
    expect(Pong.decode(pong.payload)).toEqual({ nodeId: "node-1" });
    ws.close();
  });

  it("refuses a token played again, on the node that took it or on another", async () => {
    const token = tunnelToken(SECRET, "1:2", nodes[0]!.clusterId);
    expect(await upgradeStatus(nodes[0]!, token)).toBe(101);
    expect(await upgradeStatus(nodes[0]!, token)).toBe(401);
    // each node remembers only the nonces it saw: the token names the node it is for
    expect(await upgradeStatus(nodes[1]!, token)).toBe(401);
  });

  it("closes a frame over the tunnel's maxPayloadBytes with 1009 (far over: dropped unread); the node serves new tunnels", async () => {
    // Up to twice the limit the frame is read and refused with a close frame; past that uWS drops
    // the connection at the frame's header, without buffering it (no close frame: 1006).
    for (const [size, code] of [
      [MAX_PAYLOAD + 1, 1009],
      [4 * MAX_PAYLOAD, 1006],
    ] as const) {
      const { ws, closed } = await openTunnel(nodes[1]!);
      ws.send(new Uint8Array(size));
      expect([size, await closed]).toEqual([size, code]);
    }
    const { ws, reply } = await openTunnel(nodes[1]!);
    expect((await reply(ping(1))).constructorId).toBe(EchoMessageIds.Pong);
    ws.close();
  });

  it(`closes a tunnel peer that sends half a WebSocket frame and stalls, after the idle timeout (${IDLE_SECONDS} s)`, async () => {
    const node = nodes[2]!;
    const socket = connect(node.edge.port, "127.0.0.1");
    const upgraded = new Promise<string>((resolve) => socket.once("data", (d: Buffer) => resolve(d.toString("latin1"))));
    socket.write(
      [
        "GET /tunnel HTTP/1.1",
        `Host: 127.0.0.1:${node.edge.port}`,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        `${TUNNEL_HEADER}: ${tunnelToken(SECRET, "1:2", node.clusterId)}`,
        "",
        "",
      ].join("\r\n"),
    );
    expect(await upgraded).toMatch(/^HTTP\/1\.1 101/);
    // a masked binary frame announcing 1000 bytes, of which 100 come
    const header = Buffer.from([0x82, 0x80 | 126, 1000 >> 8, 1000 & 0xff, 1, 2, 3, 4]);
    const ms = await closedAfter(socket, Buffer.concat([header, Buffer.alloc(100)]));
    expect(ms).toBeGreaterThanOrEqual((IDLE_SECONDS - 4) * 1000);
    expect(ms).toBeLessThan((IDLE_SECONDS + 8) * 1000);
  }, (IDLE_SECONDS + 20) * 1000);

  it(`closes a Raft-port dialer that stalls in the handshake, after peerIdleTimeoutMs`, async () => {
    const socket = connect(members[0]!.raft.port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const ms = await closedAfter(socket, Buffer.from("RONYRFT1", "latin1")); // the first 8 of the hello's 48 bytes
    expect(ms).toBeGreaterThanOrEqual(PEER_IDLE_MS - 50);
    expect(ms).toBeLessThan(PEER_IDLE_MS + 5_000);
  });

  it("fails a forwarded call too big for the tunnel alone, with RESOURCE_EXHAUSTED; the tunnel's other calls go on", async () => {
    // The edge takes requests up to 4 MiB, the tunnel frames up to 64 KiB: sent, such a call would
    // close the tunnel (1009) under every call multiplexed on it.
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const t = new WebSocketTransport(`ws://127.0.0.1:${follower.edge.port}/ws`, { reconnect: false });
    try {
      const notes = new NotesClient(t);
      const small = notes.create({ notebook: "sizes", slug: "small", title: "t", body: "x", tags: [] });
      const big = await notes.create({ notebook: "sizes", slug: "big", title: "t", body: "x".repeat(2 * MAX_PAYLOAD), tags: [] }).catch((e: unknown) => e);
      expect(RonyError.is(big, ErrorCode.RESOURCE_EXHAUSTED)).toBe(true);
      expect((big as RonyError).message).toMatch(/Create's request is \d+ bytes, over the 65536/);
      expect((await small).slug).toBe("small");
    } finally {
      t.close();
    }
  });

  it("still takes a write after all of it, and every node reads it back", async () => {
    const leader = await leaderOf(nodes);
    const follower = nodes.find((n) => n !== leader)!;
    const transports: WebSocketTransport[] = [];
    const client = (n: ReplicaNode) => {
      const t = new WebSocketTransport(`ws://127.0.0.1:${n.edge.port}/ws`, { reconnect: false });
      transports.push(t);
      return new NotesClient(t);
    };
    try {
      const created = await client(follower).create({ notebook: "after", slug: "bad-input", title: "t", body: "kept", tags: [] });
      for (const n of nodes) {
        const listed = await client(n).list({ notebook: "after", limit: 10, cursor: "" });
        expect(listed.notes).toEqual([created]);
      }
    } finally {
      for (const t of transports) t.close();
    }
  });
});
