// The demo's key/value service (Komoku's put/get/watch) on the subscribable KvEntry model.
import { mapStream, type CallContext } from "rony-ts/runtime/rpc";
import type { KvChange, KvEntry, KvKey, KvPut, KvWatch } from "../generated/examples/kv.js";
import type { KvEntryRepository } from "../generated/examples/kv.models.js";
import type { KvServer } from "../generated/examples/kv.rony.js";

export class KvService implements KvServer {
  /** Get calls served: the tests check that a lazy get asks nothing of the server. */
  gets = 0;

  constructor(private readonly entries: KvEntryRepository) {}

  async put(input: KvPut): Promise<KvEntry> {
    // One process, one memory store: the read and the write run without a write in between.
    const current = await this.entries.get({ scope: input.scope, key: input.key });
    return this.entries.save({ scope: input.scope, key: input.key, value: input.value, version: (current?.version ?? 0n) + 1n });
  }

  async get(input: KvKey): Promise<KvEntry> {
    this.gets++;
    return (await this.entries.get(input)) ?? { scope: input.scope, key: input.key, value: new Uint8Array(0), version: 0n };
  }

  watch(input: KvWatch, _ctx: CallContext): AsyncIterable<KvChange> {
    const updates = input.key === "" ? this.entries.subscribePartition({ scope: input.scope }) : this.entries.subscribe({ scope: input.scope, key: input.key });
    // mapStream, not a generator: a cancelled watch stops its subscription at once.
    return mapStream(updates, (u) => ({ value: u.value ?? undefined, previous: u.previous ?? undefined }));
  }
}
