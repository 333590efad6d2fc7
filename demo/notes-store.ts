// Where the Notes service keeps notes. The demo runs on the generated Note repository over the
// embedded memory connection; MemoryNotesStore is the hand-written one it replaced.
import type { Note } from "../generated/examples/notes.js";
import type { NoteRepository } from "../generated/examples/notes.models.js";

export interface NotesStore {
  insert(note: Omit<Note, "id">): Promise<Note>;
  get(notebook: string, id: bigint): Promise<Note | undefined>;
  bySlug(notebook: string, slug: string): Promise<Note | undefined>;
  /** Newest first (descending id), starting below `beforeId` when given. */
  list(notebook: string, limit: number, beforeId: bigint | undefined): Promise<Note[]>;
  replace(note: Note): Promise<void>;
  delete(notebook: string, id: bigint): Promise<boolean>;
}

export class MemoryNotesStore implements NotesStore {
  readonly #books = new Map<string, Map<bigint, Note>>();
  #nextId = 1n;

  #book(notebook: string): Map<bigint, Note> {
    let book = this.#books.get(notebook);
    if (book === undefined) this.#books.set(notebook, (book = new Map()));
    return book;
  }

  async insert(fields: Omit<Note, "id">): Promise<Note> {
    const note: Note = { ...fields, tags: [...fields.tags], id: this.#nextId++ };
    this.#book(note.notebook).set(note.id, note);
    return { ...note };
  }

  async get(notebook: string, id: bigint): Promise<Note | undefined> {
    const note = this.#books.get(notebook)?.get(id);
    return note && { ...note };
  }

  async bySlug(notebook: string, slug: string): Promise<Note | undefined> {
    for (const note of this.#books.get(notebook)?.values() ?? []) if (note.slug === slug) return { ...note };
    return undefined;
  }

  async list(notebook: string, limit: number, beforeId: bigint | undefined): Promise<Note[]> {
    const all = [...(this.#books.get(notebook)?.values() ?? [])].filter((n) => beforeId === undefined || n.id < beforeId);
    all.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
    return all.slice(0, limit).map((n) => ({ ...n }));
  }

  async replace(note: Note): Promise<void> {
    this.#book(note.notebook).set(note.id, { ...note });
  }

  async delete(notebook: string, id: bigint): Promise<boolean> {
    return this.#books.get(notebook)?.delete(id) ?? false;
  }
}

/** The generated Note repository behind the NotesStore interface; any connection kind works. */
export class ModelNotesStore implements NotesStore {
  // Ids are handed out in process, which suits the memory connection the demo uses.
  #nextId = 1n;

  constructor(private readonly notes: NoteRepository) {}

  insert(fields: Omit<Note, "id">): Promise<Note> {
    return this.notes.insert({ ...fields, id: this.#nextId++ });
  }

  async get(notebook: string, id: bigint): Promise<Note | undefined> {
    return (await this.notes.get({ notebook, id })) ?? undefined;
  }

  async bySlug(notebook: string, slug: string): Promise<Note | undefined> {
    return (await this.notes.findBySlug(notebook, slug)) ?? undefined;
  }

  async list(notebook: string, limit: number, beforeId: bigint | undefined): Promise<Note[]> {
    const cursor = beforeId === undefined ? "" : this.notes.listCursor({ notebook, id: beforeId });
    return (await this.notes.list({ notebook }, { limit, cursor })).items;
  }

  async replace(note: Note): Promise<void> {
    await this.notes.update(note);
  }

  delete(notebook: string, id: bigint): Promise<boolean> {
    return this.notes.delete({ notebook, id });
  }
}
