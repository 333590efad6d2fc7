// The page the Chromium test loads: a generated client over the browser's own WebSocket.
// Bundled by esbuild at test time; `window.__edge` is the WebSocket URL the test injects.
import { WebSocketTransport } from "rony-ts/runtime/client";
import { EchoClient } from "../../generated/examples/echo.rony.js";
import { NotesClient } from "../../generated/examples/notes.rony.js";

declare global {
  interface Window {
    __edge: string;
  }
}

const out = document.getElementById("result")!;

async function main(): Promise<void> {
  const transport = new WebSocketTransport(window.__edge);
  const echo = new EchoClient(transport);
  const reply = await echo.say({ intValue: 9007199254740993n, boolValue: true, text: "from chromium" });
  const notes = new NotesClient(transport);
  const note = await notes.create({ notebook: "browser", slug: "n1", title: "typed", body: "", tags: ["a"] });
  let missing = "";
  try {
    await notes.get({ notebook: "browser", id: 12345n });
  } catch (e) {
    missing = (e as Error).name + " " + (e as { code: number }).code;
  }
  out.textContent = `${reply.text}|${reply.intValue}|${reply.boolValue}|${note.title}#${note.id}|${missing}`;
  transport.close();
}

main().catch((e: unknown) => {
  out.textContent = `failed: ${String(e)}`;
});
