// One node of the Notes replica set as its own process, for tests that kill it:
//   node --conditions=source --import tsx test/cluster/replica-process.ts '<json NodeConfig>'
// Prints READY once it serves, then "LEADER <id> <term>" whenever the leader it knows changes.
import { startNotesNode, type NodeConfig } from "./replica-set.js";

const cfg = JSON.parse(process.argv[2] ?? "{}") as NodeConfig;
const node = await startNotesNode(cfg);
node.raft.onLeaderChange((c) => process.stdout.write(`LEADER ${c.leaderId} ${c.term}\n`));
process.stdout.write("READY\n");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void node.stop().then(() => process.exit(0)));
