// The two ways a Redis model table writes: one script on one server (one-node-writes.ts), or
// claims first and then a script on the record's node (sharded-writes.ts).
import { alreadyExists, internal, notFound } from "../errors.js";
import type { KeyValue } from "../values.js";
import type { RedisEntry as Entry } from "../descriptor.js";

export type Mode = "insert" | "save" | "update";

export interface Writes {
  /** Rejects with the typed error, a client failure included (the hot path: no layer of its own for that). */
  write(mode: Mode, entry: Entry): Promise<void>;
  /** All or nothing: ALREADY_EXISTS if any key or unique value is taken. */
  insertMany(entries: readonly Entry[]): Promise<void>;
  delete(key: readonly KeyValue[]): Promise<boolean>;
}

/** The typed error for a script's refusal: "exists" (of `what`: a claim key or the primary key) or "missing". */
export function writeFailed(model: string, outcome: string, what: string): Error {
  switch (outcome) {
    case "exists":
      return alreadyExists(model, what === "" || what === "primary key" ? "primary key" : `unique index value (${what})`);
    case "missing":
      return notFound(model, "record");
    default:
      return internal(model, `unexpected reply from a write script: ${JSON.stringify(outcome)}`);
  }
}
