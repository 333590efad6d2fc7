// One node of the sharded test cluster as its own process, for tests that kill it:
//   node --conditions=source --import tsx test/cluster/shard-node-process.ts '<json ShardNodeConfig>'
// Prints READY once it serves, and "REGISTRY_ERROR <code> <subject>" for each entry it refused.
import { startShardNode, type ShardNodeConfig } from "./shard-node.js";

const cfg = JSON.parse(process.argv[2] ?? "{}") as ShardNodeConfig;
const node = await startShardNode(cfg, (e) => process.stdout.write(`REGISTRY_ERROR ${e.code} ${e.subject}\n`));
process.stdout.write("READY\n");
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void node.stop().then(() => process.exit(0)));
