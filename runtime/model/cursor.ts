// Page cursors: the key values of the last record of a page, as base64url JSON text. Every
// back-end reads the same cursor, so a client can page through any of them the same way.
import { ErrorCode, RonyError } from "../rpc/errors.js";
import type { KeyPart } from "./plan.js";
import { fromText, textOf, type KeyValue } from "./values.js";

export function encodeCursor(values: readonly KeyValue[]): string {
  return Buffer.from(JSON.stringify(values.map(textOf)), "utf8").toString("base64url");
}

/** The values a cursor holds, one per part; a cursor from another listing is INVALID_ARGUMENT. */
export function decodeCursor(parts: readonly KeyPart[], cursor: string): KeyValue[] {
  let texts: unknown;
  try {
    texts = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    texts = undefined;
  }
  if (!Array.isArray(texts) || texts.length !== parts.length || texts.some((t) => typeof t !== "string")) {
    throw new RonyError(ErrorCode.INVALID_ARGUMENT, `cursor ${JSON.stringify(cursor)} does not belong to this listing`, "cursor");
  }
  try {
    return parts.map((p, i) => fromText(p.field.type, texts[i] as string));
  } catch {
    throw new RonyError(ErrorCode.INVALID_ARGUMENT, `cursor ${JSON.stringify(cursor)} holds a malformed value`, "cursor");
  }
}
