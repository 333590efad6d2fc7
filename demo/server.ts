// Builds the demo edge server: Echo, Notes and Ticker (streams) on embedded defaults, no database.
import { EdgeServer, MemoryStore, type EdgeServerOptions, type Middleware } from "rony-ts/runtime";
import { createNotesModels } from "../generated/examples/notes.models.js";
import { registerEcho } from "../generated/examples/echo.rony.js";
import { registerNotes } from "../generated/examples/notes.rony.js";
import { registerTicker } from "../generated/examples/ticker.rony.js";
import { EchoService } from "./echo-service.js";
import { ModelNotesStore, type NotesStore } from "./notes-store.js";
import { NotesService } from "./notes-service.js";
import { TickerService } from "./ticker-service.js";

/** Tags every reply path with the time spent, as an example of middleware. */
export function timing(log: (line: string) => void): Middleware {
  const started = new WeakMap<object, number>();
  return {
    name: "timing",
    before(ctx) {
      started.set(ctx, performance.now());
    },
    after(ctx) {
      const ms = performance.now() - (started.get(ctx) ?? performance.now());
      log(`${ctx.via} ${ctx.method.service}.${ctx.method.name} ${ctx.error ? ctx.error.message : "ok"} ${ms.toFixed(2)} ms`);
    },
  };
}

/** Notes on the generated repository over the embedded memory connection "main". */
function defaultNotesStore(): NotesStore {
  return new ModelNotesStore(createNotesModels({ main: new MemoryStore("main") }).note);
}

export function demoServer(options: EdgeServerOptions<unknown> = {}, store: NotesStore = defaultNotesStore()): EdgeServer {
  const server = new EdgeServer(options);
  registerEcho(server, new EchoService());
  registerNotes(server, new NotesService(store));
  registerTicker(server, new TickerService());
  return server;
}
