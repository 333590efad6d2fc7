// Item 6: a service reaches its models through its context, end to end through the edge
// server and the generated client, on the connections the schema declares.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EdgeServer, ErrorCode, RonyError, withModels } from "rony-ts/runtime";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { openNotesConnections, type NotesConnections } from "../../generated/examples/notes.connections.js";
import { createNotesModels } from "../../generated/examples/notes.models.js";
import { NotesClient, registerNotes } from "../../generated/examples/notes.rony.js";
import { ModelNotesService } from "../../demo/notes-models-service.js";

describe("a service with models in its context", () => {
  let connections: NotesConnections;
  let server: EdgeServer;
  let transport: WebSocketTransport;
  let notes: NotesClient;

  beforeAll(async () => {
    connections = await openNotesConnections({ env: {} });
    server = new EdgeServer({ host: "127.0.0.1" });
    registerNotes(withModels(server, createNotesModels(connections)), new ModelNotesService());
    const port = await server.listen(0);
    transport = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`);
    notes = new NotesClient(transport);
  });
  afterAll(async () => {
    transport?.close();
    await server?.shutdown();
    await connections?.close();
  });

  it("creates, reads, pages, updates and deletes through ctx.models", async () => {
    const first = await notes.create({ notebook: "ctx", slug: "a", title: "A", body: "", tags: ["x"] });
    const second = await notes.create({ notebook: "ctx", slug: "b", title: "B", body: "", tags: [] });
    expect([first.id, second.id]).toEqual([1n, 2n]);
    expect(await notes.get({ notebook: "ctx", id: 1n })).toEqual(first);

    const page1 = await notes.list({ notebook: "ctx", limit: 1, cursor: "" });
    const page2 = await notes.list({ notebook: "ctx", limit: 1, cursor: page1.nextCursor });
    expect([...page1.notes, ...page2.notes].map((n) => n.slug)).toEqual(["b", "a"]);
    expect(page2.nextCursor).toBe("");

    const updated = await notes.update({ notebook: "ctx", id: 1n, note: { ...first, title: "A2" } });
    expect(updated.title).toBe("A2");
    expect(await notes.delete({ notebook: "ctx", id: 2n })).toEqual({ existed: true });
    expect(await notes.delete({ notebook: "ctx", id: 2n })).toEqual({ existed: false });
  });

  it("sends the repository's typed errors to the client unchanged", async () => {
    await notes.create({ notebook: "errs", slug: "taken", title: "", body: "", tags: [] });
    const dup = await notes.create({ notebook: "errs", slug: "taken", title: "", body: "", tags: [] }).catch((e: unknown) => e);
    expect(RonyError.is(dup, ErrorCode.ALREADY_EXISTS)).toBe(true);
    const missing = await notes.update({ notebook: "errs", id: 99n, note: { notebook: "errs", id: 99n, slug: "z", title: "", body: "", tags: [] } }).catch((e: unknown) => e);
    expect(RonyError.is(missing, ErrorCode.NOT_FOUND)).toBe(true);
    const bad = await notes.list({ notebook: "errs", limit: 5, cursor: "garbage" }).catch((e: unknown) => e);
    expect(RonyError.is(bad, ErrorCode.INVALID_ARGUMENT)).toBe(true);
  });
});
