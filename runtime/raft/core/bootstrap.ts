// A new cluster's first entries are the AddNode changes of its members, as in etcd's Bootstrap:
// a node added later replays them and learns the whole configuration from the log.
import { encodeConfChange } from "./codec.js";
import type { Entry, HardState } from "./types.js";
import { ConfChangeType, EntryType } from "./types.js";

export const bootstrapEntries = (voters: number[]): { entries: Entry[]; hardState: HardState } => {
  const entries = voters.map((id, i) => ({
    term: 1,
    index: i + 1,
    type: EntryType.ConfChange,
    data: encodeConfChange({ type: ConfChangeType.AddNode, nodeId: id }),
  }));
  return { entries, hardState: { term: 1, vote: 0, commit: voters.length } };
};
