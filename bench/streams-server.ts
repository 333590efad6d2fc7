// The server side of bench/streams.bench.ts, in its own process: the demo's Ticker (streams)
// and Kv (subscriptions) services on one edge server. Prints "PORTS <port>", serves until SIGTERM.
import { EdgeServer, MemoryStore } from "rony-ts/runtime";
import { KvEntryRepository } from "../generated/examples/kv.models.js";
import { registerKv } from "../generated/examples/kv.rony.js";
import { registerTicker } from "../generated/examples/ticker.rony.js";
import { KvService } from "../demo/kv-service.js";
import { TickerService } from "../demo/ticker-service.js";

const server = new EdgeServer({ host: "127.0.0.1", limits: { maxStreamsPerConnection: 20_000, shutdownTimeoutMs: 100 } });
registerTicker(server, new TickerService());
registerKv(server, new KvService(new KvEntryRepository(new MemoryStore("kv"))));
console.log(`PORTS ${await server.listen(0)}`);
process.on("SIGTERM", () => {
  void server.shutdown().then(() => process.exit(0));
});
