import { randomBytes } from "node:crypto";

/** A fresh writer identity: 8 lowercase hex digits. */
export function newActor(): string {
  return randomBytes(4).toString("hex");
}
