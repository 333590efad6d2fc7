// `npm run demo`: the Echo and Notes services on one edge server. PORT overrides 8080;
// DEMO_LOG=1 logs every call (an example of middleware).
import { demoServer, timing } from "./server.js";

const port = Number(process.env["PORT"] ?? 8080);
const server = demoServer({ host: "127.0.0.1" });
if (process.env["DEMO_LOG"] === "1") server.use(timing((line) => console.log(line)));

const bound = await server.listen(port);
const base = `http://127.0.0.1:${bound}`;
console.log(`rony-ts demo: Echo and Notes on ${base} (WebSocket ws://127.0.0.1:${bound}/ws)

Typed client (Node or a browser):

  import { WebSocketTransport } from "rony-ts/runtime/client";
  import { EchoClient } from "./generated/examples/echo.rony.js";
  import { NotesClient } from "./generated/examples/notes.rony.js";

  const transport = new WebSocketTransport("ws://127.0.0.1:${bound}/ws");
  const reply = await new EchoClient(transport).say({ intValue: 42n, boolValue: true, text: "hello" });
  const note = await new NotesClient(transport).create({ notebook: "home", slug: "milk", title: "Buy milk", body: "", tags: ["errand"] });

curl, REST routes from the (rony.rpc).http annotations:

  curl -s -X POST ${base}/echo -d '{"intValue":"42","boolValue":true,"text":"hello"}'
  curl -s -X POST ${base}/notebooks/home/notes -d '{"slug":"milk","title":"Buy milk","tags":["errand"]}'
  curl -s ${base}/notebooks/home/notes/1
  curl -s '${base}/notebooks/home/notes?limit=10'
  curl -s -X PUT ${base}/notebooks/home/notes/1 -d '{"title":"Buy oat milk"}'
  curl -s -X DELETE ${base}/notebooks/home/notes/1

curl, the RPC endpoint with a JSON envelope (the debugging aid; binary envelopes are the real thing):

  curl -s ${base}/rpc -H 'content-type: application/json' -d '{"requestId":1,"method":"examples.echo.Echo.Say","input":{"text":"hi"}}'

Ctrl-C stops it gracefully (in-flight calls finish first).`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    console.log("\nshutting down…");
    void server.shutdown().then(() => process.exit(0));
  });
}
