// Commands of the replicated key/value store. Each carries a client session (clientId, seq)
// so that a proposal retried after a timeout is applied once.
import { RaftError } from "../core/errors.js";

export interface KvCommand {
  clientId: string;
  /** Increases by one per client request; a retry reuses it. */
  seq: number;
  op: "put" | "delete";
  key: string;
  value?: string;
}

export interface KvResult {
  /** Index of the entry that applied the command: the store's revision. */
  revision: number;
  /** True when this (clientId, seq) had been applied before and this is the remembered answer. */
  duplicate: boolean;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export const encodeCommand = (c: KvCommand): Uint8Array => enc.encode(JSON.stringify(c));

export const decodeCommand = (b: Uint8Array): KvCommand => {
  let v: unknown;
  try {
    v = JSON.parse(dec.decode(b));
  } catch {
    throw new RaftError("DECODE", "kv command is not JSON");
  }
  const c = v as Partial<KvCommand>;
  if (typeof c.clientId !== "string" || typeof c.seq !== "number" || (c.op !== "put" && c.op !== "delete") || typeof c.key !== "string")
    throw new RaftError("DECODE", "kv command lacks clientId, seq, op or key");
  return c as KvCommand;
};
