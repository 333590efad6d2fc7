// How an announcement is stored: {"body":"<announcement JSON>","sig":"<hex HMAC-SHA256 of body>"}.
// The body is kept as a string so the signature covers exactly the bytes a reader checks.
// A reader validates every field; anything else is refused with a RegistryError, never thrown
// from a watcher's callback.
import { createHmac, timingSafeEqual } from "node:crypto";
import { RegistryError } from "./errors.js";
import { NODE_ROLES, type Announcement, type NodeAnnouncement, type NodeRole } from "./types.js";

const ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const HOST_PORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$/;
const MAX_PATTERNS = 10_000;
// The registry only checks the shape of a slot ranges string ("0-8191,9000"); what the numbers
// mean is the business of the reader (the sharded cluster). The longest canonical text fits in 64 KiB.
const SLOT_RANGES = /^(\d{1,5}(-\d{1,5})?(,\d{1,5}(-\d{1,5})?)*)?$/;
const MAX_SLOT_RANGES_CHARS = 65_536;

function malformed(why: string, subject: string): RegistryError {
  return new RegistryError("MALFORMED_ENTRY", `registry entry${subject ? ` ${subject}` : ""}: ${why}`, subject);
}

function isAddress(text: string): boolean {
  const m = HOST_PORT.exec(text);
  return m !== null && Number(m[2]) > 0 && Number(m[2]) < 65536;
}

/** Checks every field of something that claims to be an announcement. Throws MALFORMED_ENTRY. */
export function validateAnnouncement(value: unknown, subject = ""): NodeAnnouncement {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw malformed("not an object", subject);
  const v = value as Record<string, unknown>;
  const str = (name: string) => {
    if (typeof v[name] !== "string") throw malformed(`${name} must be a string`, subject);
    return v[name] as string;
  };
  const id = str("id");
  if (!ID.test(id)) throw malformed(`id "${id}" must be 1-128 letters, digits or "_.:-"`, subject);
  const replicaSet = str("replicaSet");
  const edgeAddress = str("edgeAddress");
  if (!isAddress(edgeAddress)) throw malformed(`edgeAddress "${edgeAddress}" is not host:port`, subject || id);
  const tunnelAddress = str("tunnelAddress");
  if (tunnelAddress !== "" && !isAddress(tunnelAddress)) throw malformed(`tunnelAddress "${tunnelAddress}" is not host:port`, subject || id);
  const role = str("role");
  if (!NODE_ROLES.includes(role as NodeRole)) throw malformed(`role "${role}" is not one of ${NODE_ROLES.join(", ")}`, subject || id);
  const leaderTerm = v["leaderTerm"];
  if (typeof leaderTerm !== "number" || !Number.isSafeInteger(leaderTerm) || leaderTerm < 0) throw malformed("leaderTerm must be a non-negative integer", subject || id);
  const patterns = v["patterns"];
  if (!Array.isArray(patterns) || patterns.length > MAX_PATTERNS || !patterns.every((p) => typeof p === "string" && p !== "")) {
    throw malformed(`patterns must be at most ${MAX_PATTERNS} non-empty strings`, subject || id);
  }
  const slots = v["slots"] ?? "";
  if (typeof slots !== "string" || slots.length > MAX_SLOT_RANGES_CHARS || !SLOT_RANGES.test(slots)) {
    throw malformed('slots must be slot ranges such as "0-8191,9000", or ""', subject || id);
  }
  const slotEpoch = v["slotEpoch"] ?? 0;
  if (typeof slotEpoch !== "number" || !Number.isSafeInteger(slotEpoch) || slotEpoch < 0) throw malformed("slotEpoch must be a non-negative integer", subject || id);
  return { id, replicaSet, edgeAddress, tunnelAddress, role: role as NodeRole, leaderTerm, patterns: [...patterns] as string[], slots, slotEpoch };
}

function sign(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

/** The stored form of an announcement, signed when a secret is given. */
export function encodeEntry(node: Announcement, secret?: string): string {
  const body = JSON.stringify(validateAnnouncement(node));
  return JSON.stringify(secret === undefined ? { body } : { body, sig: sign(body, secret) });
}

/**
 * Reads a stored entry. With a secret, an entry whose signature is missing or wrong is
 * FORGED_ENTRY; `expectedId` (the id in the key it was read from) must match the body's.
 */
export function decodeEntry(text: string, secret?: string, expectedId?: string): NodeAnnouncement {
  const subject = expectedId ?? "";
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    throw malformed("not JSON", subject);
  }
  const body = (outer as { body?: unknown } | null)?.body;
  if (typeof body !== "string") throw malformed('no "body" string', subject);
  if (secret !== undefined) {
    const sig = (outer as { sig?: unknown }).sig;
    const want = Buffer.from(sign(body, secret), "hex");
    const got = typeof sig === "string" && /^[0-9a-f]{64}$/.test(sig) ? Buffer.from(sig, "hex") : undefined;
    if (got === undefined || !timingSafeEqual(got, want)) {
      throw new RegistryError("FORGED_ENTRY", `registry entry ${subject}: ${got === undefined ? "unsigned" : "bad signature"} (not signed with the cluster secret)`, subject);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw malformed("body is not JSON", subject);
  }
  const node = validateAnnouncement(parsed, subject);
  if (expectedId !== undefined && node.id !== expectedId) throw malformed(`stored under ${expectedId} but names node ${node.id}`, subject);
  return node;
}
