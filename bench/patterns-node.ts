// A process for the patterns bench: an instance (Echo rpcs + a JSON handler, on a static
// registry of its own) or a gateway (a static registry naming the instance). Prints "READY <port>".
// argv[2]: JSON { role: "instance" } or { role: "gateway", instance: "host:port", patterns: string[] }.
import { registerEcho } from "../generated/examples/echo.rony.js";
import { EdgeServer } from "../runtime/index.js";
import { PatternNode } from "../runtime/patterns/index.js";
import { StaticRegistry } from "../runtime/registry/index.js";

const cfg = JSON.parse(process.argv[2]!) as { role: "instance" } | { role: "gateway"; instance: string; patterns: string[] };
const server = new EdgeServer({ host: "127.0.0.1" });
let node: PatternNode;
if (cfg.role === "instance") {
  registerEcho(server, { say: async (input) => ({ ...input, serverTime: 0n }), ping: async () => ({ nodeId: "i" }) });
  node = new PatternNode({ id: "instance", registry: new StaticRegistry(), server });
  node.handle("role:math,cmd:positive", async (m) => ({ positive: typeof m["Value"] === "number" && m["Value"] > 0 }));
} else {
  const registry = new StaticRegistry([{ id: "instance", replicaSet: "", edgeAddress: cfg.instance, tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns: cfg.patterns }]);
  node = new PatternNode({ id: "gateway", registry, server });
}
const port = await server.listen(0);
await node.start(`127.0.0.1:${port}`);
console.log(`READY ${port}`);
