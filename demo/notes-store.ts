// Where the Notes service keeps notes. The demo runs on the in-memory one; a generated model
// repository will implement the same interface over a real connection.
import type { Note } from "../generated/examples/notes.js";

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
