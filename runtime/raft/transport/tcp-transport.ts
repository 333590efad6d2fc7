// Node-to-node transport over TCP: one outbound connection per peer, length-prefixed binary
// messages, reconnect with back-off. Raft tolerates loss, so a message to an unreachable peer is
// dropped (and reported) rather than queued without bound.
//
// Every connection first runs the handshake of handshake.ts: both ends prove they know the
// cluster secret, and no Raft message is read or sent before. A connection that fails it, stalls
// in it or in the middle of a frame, sends a malformed frame, or a message the node refuses
// (handlers.onMessage throws a RaftError) is closed and reported to onPeerError; the node lives on.
import type { Server, Socket } from "node:net";
import { createServer, connect } from "node:net";
import { decodeMessage, encodeMessage } from "../core/codec.js";
import { RaftError, isRaftError } from "../core/errors.js";
import type { Message } from "../core/types.js";
import { MessageType } from "../core/types.js";
import { FrameDecoder, frame } from "./frame-decoder.js";
import { ACCEPTOR_PROOF_BYTES, AcceptorHandshake, DIALER_PROOF_BYTES, DialerHandshake, HELLO_BYTES } from "./handshake.js";

export interface PeerAddress {
  host: string;
  port: number;
}

export interface TransportHandlers {
  /** Throwing a RaftError refuses the message: its connection is closed. */
  onMessage(m: Message): void;
  onUnreachable?(peer: number): void;
  /** How sending a snapshot ended: the leader waits for this before probing the follower again. */
  onSnapshotSent?(peer: number, ok: boolean): void;
  /** A connection closed for cause (failed handshake, stall, malformed or refused message). */
  onPeerError?(error: RaftError, remote: string): void;
}

export interface TransportOptions {
  /** The cluster secret (see handshake.ts). Without one no connection is made or accepted. */
  secret: Buffer | undefined;
  /** Largest frame sent or accepted; a larger one is refused with FRAME_TOO_LARGE. */
  maxFrameBytes: number;
  /** A handshake must finish, and a started frame must keep receiving bytes, within this time. */
  idleTimeoutMs: number;
}

const MAX_BUFFERED = 32 * 1024 * 1024;

interface Queued {
  buf: Buffer;
  snapshot: boolean;
}

interface Outbound {
  socket: Socket | undefined;
  /** Handshake done: frames go straight to the socket; before, they wait in `queue`. */
  ready: boolean;
  queue: Queued[];
  queuedBytes: number;
  retryTimer: NodeJS.Timeout | undefined;
  backoffMs: number;
}

const remoteOf = (s: Socket): string => `${s.remoteAddress ?? "?"}:${s.remotePort ?? "?"}`;

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
    private readonly options: TransportOptions,
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

  private readonly refused = new WeakSet<Socket>();

  /** Closes a connection for cause and says why; `who` names the peer once it proved who it is. */
  private refuse(s: Socket, e: RaftError, who = ""): void {
    if (s.destroyed) return;
    this.refused.add(s);
    s.destroy();
    if (!this.stopped) this.handlers.onPeerError?.(e, `${remoteOf(s)}${who}`);
  }

  /** Closes s unless disarm() is called within the idle timeout: a handshake may not stall. */
  private deadline(s: Socket, what: string): () => void {
    const t = setTimeout(() => this.refuse(s, new RaftError("IDLE_TIMEOUT", `${what} not finished within ${this.options.idleTimeoutMs} ms`)), this.options.idleTimeoutMs);
    return () => clearTimeout(t);
  }

  private accept(s: Socket): void {
    s.setNoDelay(true);
    this.inbound.add(s);
    s.on("error", () => s.destroy());
    const secret = this.options.secret;
    if (!secret) {
      s.on("close", () => this.inbound.delete(s));
      this.refuse(s, new RaftError("AUTH_FAILED", `node ${this.id} has no cluster secret and accepts no peer`));
      return;
    }
    const hs = new AcceptorHandshake(secret, this.id);
    const disarm = this.deadline(s, "handshake");
    const dec = new FrameDecoder(this.options.maxFrameBytes);
    let open = false;
    let stallTimer = false;
    let early: Buffer = Buffer.alloc(0); // handshake bytes received so far (at most HELLO + proof + one chunk)
    s.on("close", () => {
      this.inbound.delete(s);
      disarm();
      // a dialer that refuses our proof hangs up here: it holds another secret (or is not a member)
      if (!open && early.length >= HELLO_BYTES && !this.refused.has(s) && !this.stopped)
        this.handlers.onPeerError?.(new RaftError("AUTH_FAILED", `the dialer claiming to be node ${hs.peer} hung up during the handshake (another secret?)`), remoteOf(s));
    });
    // a started frame that stops receiving bytes is a stalled (or malicious) peer
    s.on("timeout", () => this.refuse(s, new RaftError("IDLE_TIMEOUT", `stalled in the middle of a frame for ${this.options.idleTimeoutMs} ms`), ` (peer ${hs.peer})`));
    s.on("data", (chunk: Buffer) => {
      try {
        if (!open) {
          const before = early.length;
          early = before === 0 ? chunk : Buffer.concat([early, chunk]);
          if (before < HELLO_BYTES && early.length >= HELLO_BYTES) s.write(hs.greet(early.subarray(0, HELLO_BYTES)));
          if (early.length < HELLO_BYTES + DIALER_PROOF_BYTES) return;
          hs.verify(early.subarray(HELLO_BYTES, HELLO_BYTES + DIALER_PROOF_BYTES));
          open = true;
          disarm();
          chunk = early.subarray(HELLO_BYTES + DIALER_PROOF_BYTES);
          early = Buffer.alloc(0);
        }
        for (const f of dec.push(chunk)) {
          this.handlers.onMessage(decodeMessage(f));
          if (s.destroyed) return;
        }
        if (stallTimer !== dec.inFrame()) {
          stallTimer = !stallTimer;
          s.setTimeout(stallTimer ? this.options.idleTimeoutMs : 0);
        }
      } catch (e) {
        if (!isRaftError(e)) throw e;
        this.refuse(s, e, open ? ` (peer ${hs.peer})` : "");
      }
    });
  }

  private outbound(to: number): Outbound | undefined {
    let o = this.out.get(to);
    if (o) return o;
    if (!this.peers.has(to) || !this.options.secret) return undefined;
    o = { socket: undefined, ready: false, queue: [], queuedBytes: 0, retryTimer: undefined, backoffMs: 50 };
    this.out.set(to, o);
    this.dial(to, o);
    return o;
  }

  private dial(to: number, o: Outbound): void {
    const addr = this.peers.get(to);
    if (!addr || this.stopped) return;
    const hs = new DialerHandshake(this.options.secret!, this.id, to);
    const s = connect(addr.port, addr.host);
    s.setNoDelay(true);
    o.socket = s;
    o.ready = false;
    const disarm = this.deadline(s, `handshake with peer ${to}`);
    let proof = Buffer.alloc(0);
    s.on("connect", () => s.write(hs.hello()));
    s.on("data", (chunk: Buffer) => {
      if (o.ready) return; // the acceptor writes nothing after its proof
      proof = Buffer.concat([proof, chunk]);
      if (proof.length < ACCEPTOR_PROOF_BYTES) return;
      try {
        s.write(hs.answer(proof.subarray(0, ACCEPTOR_PROOF_BYTES)));
      } catch (e) {
        if (!isRaftError(e)) throw e;
        this.refuse(s, e, ` (peer ${to})`);
        return;
      }
      disarm();
      o.ready = true;
      o.backoffMs = 50;
      this.flush(to, o, s);
    });
    s.on("error", () => s.destroy());
    s.on("close", () => {
      disarm();
      if (o.socket !== s) return;
      o.ready = false;
      o.socket = undefined;
      this.dropQueue(to, o);
      if (this.stopped || !this.peers.has(to)) return;
      o.retryTimer = setTimeout(() => this.dial(to, o), o.backoffMs);
      o.backoffMs = Math.min(o.backoffMs * 2, 1000);
    });
  }

  private flush(to: number, o: Outbound, s: Socket): void {
    const queue = o.queue;
    o.queue = [];
    o.queuedBytes = 0;
    for (const q of queue) this.write(to, s, q);
  }

  /** Frames queued behind a handshake that failed: Raft resends what matters. */
  private dropQueue(to: number, o: Outbound): void {
    const queue = o.queue;
    o.queue = [];
    o.queuedBytes = 0;
    for (const q of queue) if (q.snapshot) this.handlers.onSnapshotSent?.(to, false);
  }

  private write(to: number, s: Socket, q: Queued): void {
    s.write(q.buf, q.snapshot ? (err) => this.handlers.onSnapshotSent?.(to, !err) : undefined);
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
      const backlog = o ? (o.ready ? (s?.writableLength ?? 0) : o.queuedBytes) : 0;
      // before the handshake finishes frames wait in a queue; only a dead or swamped link drops
      if (!o || !s || s.destroyed || backlog > MAX_BUFFERED) {
        this.unreachable(to, list);
        continue;
      }
      const frames: Buffer[] = [];
      let snapshot = false;
      for (const m of list) {
        const payload = encodeMessage(m);
        if (payload.length > this.options.maxFrameBytes) {
          // the peer would refuse it; say so here, where it can be fixed (a larger maxFrameBytes)
          this.handlers.onPeerError?.(new RaftError("FRAME_TOO_LARGE", `a ${payload.length}-byte message to peer ${to} exceeds maxFrameBytes ${this.options.maxFrameBytes}`), `peer ${to}`);
          if (m.type === MessageType.Snap) this.handlers.onSnapshotSent?.(to, false);
          continue;
        }
        frames.push(frame(payload));
        snapshot ||= m.type === MessageType.Snap;
      }
      if (frames.length === 0) continue;
      const q: Queued = { buf: frames.length === 1 ? frames[0]! : Buffer.concat(frames), snapshot };
      if (o.ready) {
        this.write(to, s, q);
      } else {
        o.queue.push(q);
        o.queuedBytes += q.buf.length;
      }
    }
  }

  private unreachable(to: number, list: Message[]): void {
    this.handlers.onUnreachable?.(to);
    for (const m of list) if (m.type === MessageType.Snap) this.handlers.onSnapshotSent?.(to, false);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const [to, o] of this.out) {
      clearTimeout(o.retryTimer);
      o.socket?.destroy();
      this.dropQueue(to, o);
    }
    for (const s of this.inbound) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
