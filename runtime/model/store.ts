// The contract between repositories and back-ends. A store (one per connection) binds each
// model to a table once; the table does the work with key values already taken from records.
import type { ModelDescriptor } from "./descriptor.js";
import type { KeyValue } from "./values.js";

export interface PageRequest {
  /** Records per page; default 50, at most 1000. */
  readonly limit?: number;
  /** `nextCursor` of the previous page; "" or absent for the first page. */
  readonly cursor?: string;
}

export interface Page<T> {
  readonly items: T[];
  /** Pass it back as `cursor` for the next page; "" when this page is the last. */
  readonly nextCursor: string;
}

export interface ModelTable<T> {
  get(key: readonly KeyValue[]): Promise<T | null>;
  /** One round trip; null where a record is missing, in the order of `keys`. */
  getMany(keys: readonly (readonly KeyValue[])[]): Promise<(T | null)[]>;
  exists(key: readonly KeyValue[]): Promise<boolean>;
  /** All or nothing, in one round trip: ALREADY_EXISTS if any key or unique value is taken. */
  insert(records: readonly T[]): Promise<void>;
  /** Insert or replace by primary key; ALREADY_EXISTS if a unique value belongs to another record. */
  save(record: T): Promise<void>;
  /** Replace an existing record; NOT_FOUND if there is none. */
  update(record: T): Promise<void>;
  /** Whether a record was deleted. */
  delete(key: readonly KeyValue[]): Promise<boolean>;
  /** Records in a partition, or in the whole table when `partition` is undefined. */
  count(partition: readonly KeyValue[] | undefined): Promise<number>;
  list(partition: readonly KeyValue[], page: PageRequest): Promise<Page<T>>;
  findUnique(index: string, values: readonly KeyValue[]): Promise<T | null>;
  /** Records with these index values, in primary key order. */
  findMany(index: string, values: readonly KeyValue[], page: PageRequest): Promise<Page<T>>;
}

/** A connection that stores models: memory, mysql or redis. */
export interface ModelStore {
  readonly kind: string;
  /** The connection's name, as declared with (rony.connection). */
  readonly name: string;
  table<T>(model: ModelDescriptor<T>): ModelTable<T>;
  /** Creates what the models need and is missing (MySQL tables and indexes); idempotent. */
  migrate(models: readonly ModelDescriptor<unknown>[]): Promise<unknown>;
  close(): Promise<void>;
}

export const DEFAULT_PAGE = 50;
export const MAX_PAGE = 1000;

export function pageLimit(page: PageRequest): number {
  const limit = page.limit ?? DEFAULT_PAGE;
  if (!Number.isInteger(limit) || limit < 1) return DEFAULT_PAGE;
  return Math.min(limit, MAX_PAGE);
}
