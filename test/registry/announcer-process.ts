// A process that announces one node on a Redis registry and keeps it alive until killed.
// argv[2]: JSON { redisPort, prefix, ttlMs, node }.
import { RedisRegistry, type NodeAnnouncement } from "../../runtime/registry/index.js";

const cfg = JSON.parse(process.argv[2]!) as { redisPort: number; prefix: string; ttlMs: number; node: NodeAnnouncement };
const registry = new RedisRegistry({ redis: { host: "127.0.0.1", port: cfg.redisPort }, prefix: cfg.prefix, ttlMs: cfg.ttlMs, refreshMs: 200 });
await registry.start();
await registry.announce(cfg.node);
console.log("READY");
