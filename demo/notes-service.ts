// A small REST-bound service over a NotesStore. Errors are RonyErrors: the edge turns them into
// typed error replies (and HTTP status codes on the REST routes).
import { ErrorCode, RonyError } from "rony-ts/runtime/rpc";
import type { NotesServer } from "../generated/examples/notes.rony.js";
import type { CreateNoteRequest, DeleteNoteRequest, Deleted, GetNoteRequest, ListNotesRequest, Note, NoteList, UpdateNoteRequest } from "../generated/examples/notes.js";
import type { NotesStore } from "./notes-store.js";

const DEFAULT_PAGE = 20;
const MAX_PAGE = 100;

export class NotesService implements NotesServer {
  constructor(private readonly store: NotesStore) {}

  async create(input: CreateNoteRequest): Promise<Note> {
    if (input.notebook === "") throw new RonyError(ErrorCode.INVALID_ARGUMENT, "a note needs a notebook", "notebook");
    if (input.slug === "") throw new RonyError(ErrorCode.INVALID_ARGUMENT, "a note needs a slug", "slug");
    if (await this.store.bySlug(input.notebook, input.slug)) {
      throw new RonyError(ErrorCode.ALREADY_EXISTS, `slug ${input.slug} is taken in ${input.notebook}`, "slug");
    }
    return this.store.insert({ notebook: input.notebook, slug: input.slug, title: input.title, body: input.body, tags: input.tags });
  }

  async get(input: GetNoteRequest): Promise<Note> {
    const note = await this.store.get(input.notebook, input.id);
    if (note === undefined) throw new RonyError(ErrorCode.NOT_FOUND, `no note ${input.id} in ${input.notebook}`, "id");
    return note;
  }

  async list(input: ListNotesRequest): Promise<NoteList> {
    const limit = Math.min(input.limit || DEFAULT_PAGE, MAX_PAGE);
    let before: bigint | undefined;
    if (input.cursor !== "") {
      try {
        before = BigInt(input.cursor);
      } catch {
        throw new RonyError(ErrorCode.INVALID_ARGUMENT, "cursor is not one this service gave out", "cursor");
      }
    }
    const notes = await this.store.list(input.notebook, limit + 1, before);
    const page = notes.slice(0, limit);
    return { notes: page, nextCursor: notes.length > limit ? String(page[page.length - 1]!.id) : "" };
  }

  async update(input: UpdateNoteRequest): Promise<Note> {
    const current = await this.get({ notebook: input.notebook, id: input.id });
    const patch = input.note;
    if (patch === undefined) throw new RonyError(ErrorCode.INVALID_ARGUMENT, "nothing to update", "note");
    const next: Note = {
      ...current,
      title: patch.title || current.title,
      body: patch.body || current.body,
      tags: patch.tags.length > 0 ? patch.tags : current.tags,
    };
    if (patch.slug !== "" && patch.slug !== current.slug) {
      if (await this.store.bySlug(input.notebook, patch.slug)) throw new RonyError(ErrorCode.ALREADY_EXISTS, `slug ${patch.slug} is taken`, "slug");
      next.slug = patch.slug;
    }
    await this.store.replace(next);
    return next;
  }

  async delete(input: DeleteNoteRequest): Promise<Deleted> {
    return { existed: await this.store.delete(input.notebook, input.id) };
  }
}
