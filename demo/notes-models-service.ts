// An example service that reaches its models through the call context: it implements
// NotesServer<ModelContext<NotesModels>>, and the server registers it through withModels().
// Missing records become NOT_FOUND here; a taken slug comes back from the repository as
// ALREADY_EXISTS, which the edge sends to the client unchanged.
import { ErrorCode, RonyError, type ModelContext } from "rony-ts/runtime";
import type { CreateNoteRequest, DeleteNoteRequest, Deleted, GetNoteRequest, ListNotesRequest, Note, NoteList, UpdateNoteRequest } from "../generated/examples/notes.js";
import type { NotesModels } from "../generated/examples/notes.models.js";
import type { NotesServer } from "../generated/examples/notes.rony.js";

type Ctx = ModelContext<NotesModels>;

export class ModelNotesService implements NotesServer<Ctx> {
  async create(input: CreateNoteRequest, ctx: Ctx): Promise<Note> {
    // Newest first: the next id is one above the notebook's newest note.
    const newest = (await ctx.models.note.list({ notebook: input.notebook }, { limit: 1 })).items[0];
    return ctx.models.note.insert({ ...input, id: (newest?.id ?? 0n) + 1n });
  }

  async get(input: GetNoteRequest, ctx: Ctx): Promise<Note> {
    const note = await ctx.models.note.get(input);
    if (note === null) throw new RonyError(ErrorCode.NOT_FOUND, `no note ${input.id} in ${input.notebook}`, "id");
    return note;
  }

  async list(input: ListNotesRequest, ctx: Ctx): Promise<NoteList> {
    const page = await ctx.models.note.list({ notebook: input.notebook }, { limit: input.limit, cursor: input.cursor });
    return { notes: page.items, nextCursor: page.nextCursor };
  }

  async update(input: UpdateNoteRequest, ctx: Ctx): Promise<Note> {
    if (input.note === undefined) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "nothing to update", "note");
    return ctx.models.note.update({ ...input.note, notebook: input.notebook, id: input.id });
  }

  async delete(input: DeleteNoteRequest, ctx: Ctx): Promise<Deleted> {
    return { existed: await ctx.models.note.delete(input) };
  }
}
