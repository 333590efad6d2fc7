// Wire and storage shapes of the Raft core, modelled on etcd's raftpb.
// Indexes and terms are plain numbers: exact up to 2^53, far beyond any log we will write.

/** The id 0 means "nobody" (no leader, no vote). */
export const NONE = 0;

export const MessageType = {
  Hup: 0, // local: start an election
  Beat: 1, // local: leader sends heartbeats
  Prop: 2, // a proposal (local or forwarded to the leader)
  App: 3,
  AppResp: 4,
  Vote: 5,
  VoteResp: 6,
  Snap: 7,
  Heartbeat: 8,
  HeartbeatResp: 9,
  Unreachable: 10, // local: transport could not reach a peer
  SnapStatus: 11, // local: outcome of sending a snapshot
  CheckQuorum: 12, // local: leader checks it still hears from a quorum
  TransferLeader: 13,
  TimeoutNow: 14,
  ReadIndex: 15,
  ReadIndexResp: 16,
  PreVote: 17,
  PreVoteResp: 18,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const messageTypeName = (t: MessageType): string =>
  Object.entries(MessageType).find(([, v]) => v === t)?.[0] ?? `Unknown(${t})`;

export const EntryType = { Normal: 0, ConfChange: 1 } as const;
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

export interface ConfState {
  voters: number[];
}

export interface SnapshotMeta {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  meta: SnapshotMeta;
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

export interface Message {
  type: MessageType;
  from: number;
  to: number;
  term: number;
  /** Term of the entry at `index` (App), or of the candidate's last entry (Vote), or the conflict hint term (AppResp). */
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  /** ReadIndex request context on heartbeats; campaign kind on votes. */
  context?: Uint8Array;
}

/** Single-server membership change (Raft thesis §4.1). */
export const ConfChangeType = { AddNode: 0, RemoveNode: 1 } as const;
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

export interface ConfChange {
  type: ConfChangeType;
  nodeId: number;
}

export const StateType = { Follower: 0, Candidate: 1, Leader: 2, PreCandidate: 3 } as const;
export type StateType = (typeof StateType)[keyof typeof StateType];
export const stateName = (s: StateType): string =>
  Object.entries(StateType).find(([, v]) => v === s)?.[0] ?? `Unknown(${s})`;

export interface SoftState {
  lead: number;
  state: StateType;
}

/** The commit index a ReadIndex request may be served at, once the state machine applied it. */
export interface ReadState {
  index: number;
  requestCtx: Uint8Array;
}

/**
 * What the driver must do, in order: persist `hardState`, `entries` and `snapshot` (fsync),
 * send `messages`, apply `snapshot` and `committedEntries`, then call advance().
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  readStates: ReadState[];
  entries: Entry[];
  snapshot?: Snapshot;
  committedEntries: Entry[];
  messages: Message[];
  /** False when nothing durable changed (only commit moved), so the write may skip fsync. */
  mustSync: boolean;
}

export const emptyHardState = (): HardState => ({ term: 0, vote: NONE, commit: 0 });
export const isEmptyHardState = (h: HardState): boolean => h.term === 0 && h.vote === NONE && h.commit === 0;
export const hardStateEqual = (a: HardState, b: HardState): boolean =>
  a.term === b.term && a.vote === b.vote && a.commit === b.commit;
export const emptySnapshot = (): Snapshot => ({ meta: { index: 0, term: 0, confState: { voters: [] } }, data: new Uint8Array(0) });
export const isEmptySnapshot = (s: Snapshot | undefined): boolean => s === undefined || s.meta.index === 0;

/** A message with every field at its zero value except those given. */
export const msg = (m: Partial<Message> & Pick<Message, "type">): Message => ({
  from: NONE,
  to: NONE,
  term: 0,
  logTerm: 0,
  index: 0,
  entries: [],
  commit: 0,
  reject: false,
  rejectHint: 0,
  ...m,
});

export const isLocalMessage = (t: MessageType): boolean =>
  t === MessageType.Hup ||
  t === MessageType.Beat ||
  t === MessageType.Unreachable ||
  t === MessageType.SnapStatus ||
  t === MessageType.CheckQuorum;

export const isResponseMessage = (t: MessageType): boolean =>
  t === MessageType.AppResp ||
  t === MessageType.VoteResp ||
  t === MessageType.HeartbeatResp ||
  t === MessageType.Unreachable ||
  t === MessageType.PreVoteResp;

export const voteRespType = (t: MessageType): MessageType => {
  if (t === MessageType.Vote) return MessageType.VoteResp;
  if (t === MessageType.PreVote) return MessageType.PreVoteResp;
  throw new Error(`not a vote message: ${messageTypeName(t)}`);
};
