// Raft for rony-ts: the deterministic core, durable storage, the TCP node driver and the
// replicated key/value store built on them. See docs/raft.md.
export * from "./core/index.js";
export { DiskStorage } from "./storage/disk-storage.js";
export type { Recovery } from "./storage/disk-storage.js";
export { Wal, DEFAULT_SEGMENT_BYTES } from "./storage/wal.js";
export type { WalOptions } from "./storage/wal.js";
export { TcpTransport } from "./transport/tcp-transport.js";
export type { PeerAddress, TransportHandlers, TransportOptions } from "./transport/tcp-transport.js";
export { RaftNode } from "./node/raft-node.js";
export type { LeaderChange, ProposeOptions, RaftNodeOptions, RaftNodeStatus, RaftRole, StateMachine } from "./node/raft-node.js";
export { KvNode } from "./kv/kv-node.js";
export type { KvNodeOptions } from "./kv/kv-node.js";
export { KvStateMachine } from "./kv/kv-state-machine.js";
export type { KvCommand, KvResult } from "./kv/kv-command.js";
export { startKvHttpServer } from "./kv/kv-http-server.js";
export type { KvHttpOptions } from "./kv/kv-http-server.js";
