// The deterministic Raft core: no clock, no I/O, no ambient randomness.
export * from "./types.js";
export * from "./errors.js";
export * from "./random.js";
export * from "./storage.js";
export * from "./config.js";
export * from "./codec.js";
export { CampaignType } from "./campaign.js";
export { Raft } from "./raft.js";
export { RawNode, SnapshotStatus, maySendBeforePersist } from "./raw-node.js";
export { ProgressState } from "./progress.js";
export { bootstrapEntries } from "./bootstrap.js";
export { validateMessage, checkAgainstState } from "./validate-message.js";
export type { MessageLimits } from "./validate-message.js";
