// One service instance in its own process: an edge server with the Echo rpcs and JSON pattern
// handlers, announced on a Redis registry. Prints "READY <port>" and serves until killed.
// argv[2]: JSON { redisPort, prefix, id, ttlMs, patterns: string[] } — each pattern answers {by: id, …}.
import { registerEcho } from "../../generated/examples/echo.rony.js";
import { EdgeServer } from "../../runtime/index.js";
import { PatternNode } from "../../runtime/patterns/index.js";
import { RedisRegistry } from "../../runtime/registry/index.js";

const cfg = JSON.parse(process.argv[2]!) as { redisPort: number; prefix: string; id: string; ttlMs: number; patterns: string[] };
const registry = new RedisRegistry({ redis: { host: "127.0.0.1", port: cfg.redisPort }, prefix: cfg.prefix, ttlMs: cfg.ttlMs, refreshMs: 200 });
registry.onError = () => undefined;
const server = new EdgeServer({ host: "127.0.0.1" });
registerEcho(server, { say: async (input) => ({ ...input, text: `${cfg.id}:${input.text}`, serverTime: 0n }), ping: async () => ({ nodeId: cfg.id }) });
const node = new PatternNode({ id: cfg.id, registry, server });
for (const pattern of cfg.patterns) {
  node.handle(pattern, async (message, ctx) => ({ by: cfg.id, pattern: ctx.pattern, positive: typeof message["Value"] === "number" && message["Value"] > 0 }));
}
const port = await server.listen(0);
await node.start(`127.0.0.1:${port}`);
console.log(`READY ${port}`);
