// Mutual challenge–response on every peer connection, before any Raft message is accepted:
//   dialer   → acceptor  HELLO  = magic, dialer id, acceptor id, dialer nonce          (48 bytes)
//   acceptor → dialer    PROOF  = magic, acceptor nonce, HMAC(secret, "A" | both ids | both nonces)
//   dialer   → acceptor  PROOF' = HMAC(secret, "D" | both ids | both nonces)            (32 bytes)
// Each side proves it knows the cluster secret over a nonce the other side just drew, so a
// recorded handshake cannot be replayed, and the two proofs differ ("A"/"D") so one cannot be
// reflected as the other. The secret itself never crosses the wire.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { RaftError } from "../core/errors.js";

const MAGIC = Buffer.from("RONYRFT1", "latin1");
const NONCE = 32;
const MAC = 32;
export const HELLO_BYTES = MAGIC.length + 4 + 4 + NONCE;
export const ACCEPTOR_PROOF_BYTES = MAGIC.length + NONCE + MAC;
export const DIALER_PROOF_BYTES = MAC;
/** Shorter secrets are refused: the handshake is only as strong as the secret. */
export const MIN_SECRET_BYTES = 16;

export const secretBytes = (secret: string | Uint8Array): Buffer => {
  const b = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
  if (b.length < MIN_SECRET_BYTES) throw new RaftError("INVALID_CONFIG", `the cluster secret must be at least ${MIN_SECRET_BYTES} bytes (got ${b.length})`);
  return b;
};

interface Session {
  dialer: number;
  acceptor: number;
  dialerNonce: Buffer;
  acceptorNonce: Buffer;
}

const mac = (secret: Buffer, role: "A" | "D", s: Session): Buffer => {
  const ids = Buffer.alloc(8);
  ids.writeUInt32LE(s.dialer, 0);
  ids.writeUInt32LE(s.acceptor, 4);
  return createHmac("sha256", secret).update(role).update(ids).update(s.dialerNonce).update(s.acceptorNonce).digest();
};

const sameMac = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

/** The dialer's side: hello() first, then answer(the acceptor's proof) gives the last message. */
export class DialerHandshake {
  private readonly nonce = randomBytes(NONCE);

  constructor(
    private readonly secret: Buffer,
    private readonly self: number,
    private readonly peer: number,
  ) {}

  hello(): Buffer {
    const b = Buffer.alloc(HELLO_BYTES);
    MAGIC.copy(b, 0);
    b.writeUInt32LE(this.self, 8);
    b.writeUInt32LE(this.peer, 12);
    this.nonce.copy(b, 16);
    return b;
  }

  /** Checks the acceptor's proof; throws AUTH_FAILED unless it knows the secret. */
  answer(proof: Buffer): Buffer {
    if (!proof.subarray(0, MAGIC.length).equals(MAGIC)) throw new RaftError("AUTH_FAILED", `peer ${this.peer} does not speak the rony-ts raft handshake`);
    const s: Session = { dialer: this.self, acceptor: this.peer, dialerNonce: this.nonce, acceptorNonce: proof.subarray(8, 8 + NONCE) };
    if (!sameMac(mac(this.secret, "A", s), proof.subarray(8 + NONCE))) throw new RaftError("AUTH_FAILED", `peer ${this.peer} did not prove the cluster secret`);
    return mac(this.secret, "D", s);
  }
}

/** The acceptor's side: greet(the dialer's hello) gives the proof to send, verify(its answer) ends it. */
export class AcceptorHandshake {
  private session: Session | undefined;

  constructor(
    private readonly secret: Buffer,
    private readonly self: number,
  ) {}

  /** The id the dialer claims, known after greet() (proved only once verify() passed). */
  get peer(): number {
    return this.session?.dialer ?? 0;
  }

  greet(hello: Buffer): Buffer {
    if (!hello.subarray(0, MAGIC.length).equals(MAGIC)) throw new RaftError("AUTH_FAILED", "the dialer does not speak the rony-ts raft handshake");
    const acceptor = hello.readUInt32LE(12);
    if (acceptor !== this.self) throw new RaftError("AUTH_FAILED", `the dialer meant node ${acceptor}, this is node ${this.self}`);
    this.session = { dialer: hello.readUInt32LE(8), acceptor, dialerNonce: Buffer.from(hello.subarray(16)), acceptorNonce: randomBytes(NONCE) };
    return Buffer.concat([MAGIC, this.session.acceptorNonce, mac(this.secret, "A", this.session)]);
  }

  verify(answer: Buffer): void {
    if (!this.session || !sameMac(mac(this.secret, "D", this.session), answer))
      throw new RaftError("AUTH_FAILED", `the dialer claiming to be node ${this.peer} did not prove the cluster secret`);
  }
}
