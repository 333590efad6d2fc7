// Node-to-node transport over TCP: one outbound connection per peer, length-prefixed binary
// messages, reconnect with back-off. Raft tolerates loss, so a message to an unreachable peer is
// dropped (and reported) rather than queued without bound.
import type { Server, Socket } from "node:net";
import { createServer, connect } from "node:net";
import { decodeMessage, encodeMessage } from "../core/codec.js";
import type { Message } from "../core/types.js";
import { MessageType } from "../core/types.js";
import { FrameDecoder, frame } from "./frame-decoder.js";

export interface PeerAddress {
  host: string;
  port: number;
}

export interface TransportHandlers {
  onMessage(m: Message): void;
  onUnreachable?(peer: number): void;
  /** How sending a snapshot ended: the leader waits for this before probing the follower again. */
  onSnapshotSent?(peer: number, ok: boolean): void;
}

const MAX_BUFFERED = 32 * 1024 * 1024;

interface Outbound {
  socket: Socket | undefined;
  connected: boolean;
  retryTimer: NodeJS.Timeout | undefined;
  backoffMs: number;
}

export class TcpTransport {
  private server: Server | undefined;
  private readonly out = new Map<number, Outbound>();
  private readonly inbound = new Set<Socket>();
  private stopped = false;

  constructor(
    readonly id: number,
    private readonly listen: PeerAddress,
    private readonly peers: Map<number, PeerAddress>,
    private readonly handlers: TransportHandlers,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((s) => this.accept(s));
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.listen.port, this.listen.host, () => resolve());
    });
  }

  addPeer(id: number, addr: PeerAddress): void {
    this.peers.set(id, addr);
  }

  removePeer(id: number): void {
    this.peers.delete(id);
    const o = this.out.get(id);
    if (o) {
      clearTimeout(o.retryTimer);
      o.socket?.destroy();
      this.out.delete(id);
    }
  }

  private accept(s: Socket): void {
    s.setNoDelay(true);
    this.inbound.add(s);
    const dec = new FrameDecoder();
    s.on("data", (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = dec.push(chunk);
      } catch {
        s.destroy(); // a malformed stream: drop the connection, the peer reconnects
        return;
      }
      for (const f of frames) {
        let m: Message;
        try {
          m = decodeMessage(f);
        } catch {
          s.destroy();
          return;
        }
        this.handlers.onMessage(m);
      }
    });
    s.on("error", () => s.destroy());
    s.on("close", () => this.inbound.delete(s));
  }

  private outbound(to: number): Outbound | undefined {
    let o = this.out.get(to);
    if (o) return o;
    if (!this.peers.has(to)) return undefined;
    o = { socket: undefined, connected: false, retryTimer: undefined, backoffMs: 50 };
    this.out.set(to, o);
    this.dial(to, o);
    return o;
  }

  private dial(to: number, o: Outbound): void {
    const addr = this.peers.get(to);
    if (!addr || this.stopped) return;
    const s = connect(addr.port, addr.host);
    s.setNoDelay(true);
    o.socket = s;
    s.on("connect", () => {
      o.connected = true;
      o.backoffMs = 50;
    });
    s.on("data", () => undefined); // the peer never writes on our outbound link
    s.on("error", () => s.destroy());
    s.on("close", () => {
      if (o.socket !== s) return;
      o.connected = false;
      o.socket = undefined;
      if (this.stopped || !this.peers.has(to)) return;
      o.retryTimer = setTimeout(() => this.dial(to, o), o.backoffMs);
      o.backoffMs = Math.min(o.backoffMs * 2, 1000);
    });
  }

  /** Sends messages, one write per peer per batch. */
  send(msgs: Message[]): void {
    if (msgs.length === 0 || this.stopped) return;
    const byPeer = new Map<number, Message[]>();
    for (const m of msgs) {
      const list = byPeer.get(m.to);
      if (list) list.push(m);
      else byPeer.set(m.to, [m]);
    }
    for (const [to, list] of byPeer) {
      const o = this.outbound(to);
      const s = o?.socket;
      // writes before 'connect' are queued by the socket; only a dead or swamped link drops
      if (!o || !s || s.destroyed || s.writableLength > MAX_BUFFERED) {
        this.handlers.onUnreachable?.(to);
        for (const m of list) if (m.type === MessageType.Snap) this.handlers.onSnapshotSent?.(to, false);
        continue;
      }
      const frames = list.map((m) => frame(encodeMessage(m)));
      const hasSnap = list.some((m) => m.type === MessageType.Snap);
      const buf = frames.length === 1 ? frames[0]! : Buffer.concat(frames);
      s.write(buf, hasSnap ? (err) => this.handlers.onSnapshotSent?.(to, !err) : undefined);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const o of this.out.values()) {
      clearTimeout(o.retryTimer);
      o.socket?.destroy();
    }
    for (const s of this.inbound) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
