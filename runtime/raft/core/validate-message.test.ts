// Peers are not trusted to be correct: whatever message arrives, stepping it either works or
// throws a typed RaftError (INVALID_MESSAGE closes the sender's connection) — never a crash.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeConfChange, encodeConfChange } from "./codec.js";
import { RaftError, isRaftError } from "./errors.js";
import { seededRandom } from "./random.js";
import { RawNode } from "./raw-node.js";
import { MemoryStorage } from "./storage.js";
import type { Message, MessageType } from "./types.js";
import { ConfChangeType, EntryType, MessageType as MT, isLocalMessage, msg } from "./types.js";

interface Member {
  rn: RawNode;
  storage: MemoryStorage;
}

/** Three RawNodes; settle() runs their Ready loops (persist, deliver, apply) until nothing is left. */
const threeNodes = () => {
  const members = new Map<number, Member>();
  for (const id of [1, 2, 3]) {
    const storage = MemoryStorage.withVoters([1, 2, 3]);
    members.set(id, { storage, rn: new RawNode({ id, storage, electionTick: 10, heartbeatTick: 1, checkQuorum: true, preVote: true, random: seededRandom(id) }) });
  }
  const settle = () => {
    for (let round = 0; round < 200; round++) {
      let busy = false;
      for (const { rn, storage } of members.values()) {
        if (!rn.hasReady()) continue;
        busy = true;
        const rd = rn.ready();
        if (rd.snapshot) storage.applySnapshot(rd.snapshot);
        storage.append(rd.entries);
        if (rd.hardState) storage.setHardState(rd.hardState);
        for (const e of rd.committedEntries) if (e.type === EntryType.ConfChange) rn.applyConfChange(decodeConfChange(e.data));
        rn.advance(rd);
        for (const m of rd.messages) {
          try {
            members.get(m.to)?.rn.step(m);
          } catch (e) {
            if (!isRaftError(e)) throw e;
          }
        }
      }
      if (!busy) return;
    }
  };
  members.get(1)!.rn.campaign();
  settle();
  for (let i = 0; i < 5; i++) members.get(1)!.rn.propose(new TextEncoder().encode(`v${i}`));
  settle();
  return { members, settle };
};

const small = fc.integer({ min: 0, max: 12 });
const remoteTypes = Object.values(MT).filter((t) => !isLocalMessage(t));
const data = fc.uint8Array({ maxLength: 6 });
const snapshot = fc.record({
  meta: fc.record({ index: small, term: small, confState: fc.record({ voters: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }) }) }),
  data,
});

/** A message aimed at `to`: fields near the cluster's real terms and indexes, entries sometimes well-formed. */
const message = (to: number): fc.Arbitrary<Message> =>
  fc
    .record({
      type: fc.constantFrom(...remoteTypes),
      from: fc.integer({ min: 0, max: 4 }),
      term: small,
      logTerm: small,
      index: small,
      commit: small,
      rejectHint: small,
      reject: fc.boolean(),
      entryTerms: fc.array(small, { maxLength: 4 }),
      contiguous: fc.boolean(),
      entryIndexes: fc.array(small, { maxLength: 4 }),
      confChange: fc.boolean(),
      data,
      snapshot: fc.option(snapshot, { nil: undefined }),
      context: fc.option(data, { nil: undefined }),
    })
    .map((g) => {
      const entryTerms = g.contiguous ? [...g.entryTerms].sort((a, b) => a - b) : g.entryTerms;
      const entries = entryTerms.map((term, i) => ({
        term,
        index: g.contiguous ? g.index + 1 + i : (g.entryIndexes[i] ?? 0),
        type: g.confChange ? EntryType.ConfChange : EntryType.Normal,
        data: g.confChange ? encodeConfChange({ type: ConfChangeType.AddNode, nodeId: 4 }) : g.data,
      }));
      const m: Message = msg({ type: g.type as MessageType, from: g.from, to, term: g.term, logTerm: g.logTerm, index: g.index, commit: g.commit, rejectHint: g.rejectHint, reject: g.reject, entries });
      if (g.snapshot) m.snapshot = g.snapshot;
      if (g.context) m.context = g.context;
      return m;
    });

describe("messages from untrusted peers", () => {
  it("a Snap without a snapshot at the current term is refused, not a TypeError", () => {
    const { members } = threeNodes();
    const f = members.get(2)!.rn;
    const m = msg({ type: MT.Snap, from: 1, to: 2, term: f.raft.term });
    expect(() => f.step(m)).toThrow(RaftError);
    expect(() => f.step(m)).toThrow(/INVALID_MESSAGE: Snap from 1 to 2 .*no snapshot attached/);
  });

  it("stepping any message into a leader, a follower or a candidate throws nothing but a RaftError", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }).chain((to) => fc.tuple(fc.constant(to), fc.array(message(to), { minLength: 1, maxLength: 6 }), fc.boolean())),
        ([to, msgs, partition]) => {
          const { members, settle } = threeNodes();
          // a follower cut off long enough becomes a (pre-)candidate
          if (partition) for (let i = 0; i < 30; i++) members.get(to)!.rn.tick();
          for (const m of msgs) {
            try {
              members.get(to)!.rn.step(m);
            } catch (e) {
              if (!isRaftError(e)) throw e;
            }
            settle(); // what the message caused must not crash the others either
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
