// One server of the replicated key/value store, as its own process:
//   node --conditions=source --import tsx test/raft/kv-process.ts '<json config>'
// with config {id, dataDir, secret, raftPorts: {id: port}, httpPort}. Prints READY once it serves.
import { startKvHttpServer } from "../../runtime/raft/kv/kv-http-server.js";
import { KvNode } from "../../runtime/raft/kv/kv-node.js";
import type { PeerAddress } from "../../runtime/raft/transport/tcp-transport.js";

interface Config {
  id: number;
  dataDir: string;
  /** The cluster secret every server shares. */
  secret: string;
  raftPorts: Record<string, number>;
  httpPort: number;
}

const cfg = JSON.parse(process.argv[2] ?? "{}") as Config;
const peers = new Map<number, PeerAddress>(Object.entries(cfg.raftPorts).map(([id, port]) => [Number(id), { host: "127.0.0.1", port }]));
const kv = await KvNode.start({ id: cfg.id, dataDir: cfg.dataDir, secret: cfg.secret, peers, bootstrap: [...peers.keys()] });
await startKvHttpServer(kv, cfg.httpPort);
process.stdout.write("READY\n");
