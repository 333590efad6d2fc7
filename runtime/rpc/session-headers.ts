// Headers that make a retried call exactly-once on a replica set: a client names its session and
// numbers its calls; a retry of a call whose outcome was lost carries the same number, and the
// replica set answers it from memory instead of running it again (docs/cluster.md).

/** The caller's session id: random, one per client. */
export const CLIENT_HEADER = "rony-client";
/** The call's number in its session, from 1; a retry keeps it. */
export const SEQ_HEADER = "rony-seq";
