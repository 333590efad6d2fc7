// Records ↔ MySQL rows (column order = descriptor field order). Scalars map to typed columns;
// lists, maps and messages are stored as their proto3 JSON, so int64 inside them stays exact.
import type { FieldDescriptor, ModelDescriptor } from "../descriptor.js";
import { invalidArgument } from "../errors.js";
import { planOf } from "../plan.js";

type Param = string | number | bigint | boolean | Buffer | null;

const JSON_EMPTY: Partial<Record<FieldDescriptor["type"], string>> = { list: "[]", map: "{}" };

function isJson(f: FieldDescriptor): boolean {
  return f.type === "list" || f.type === "map" || f.type === "message";
}

/**
 * Key and index strings are VARBINARY(1020) columns (plugins/model/sql-types.ts says why): they
 * hold up to 255 characters, the limit a VARCHAR(255) had, which is checked here.
 */
export const KEY_STRING_CHARS = 255;

export class RowCodec<T> {
  readonly #fields: readonly FieldDescriptor[];
  readonly #hasJson: boolean;
  readonly #keyStrings: ReadonlySet<FieldDescriptor>;

  constructor(readonly model: ModelDescriptor<T>) {
    this.#fields = model.fields;
    this.#hasJson = model.fields.some(isJson);
    const plan = planOf(model);
    const keyed = [...plan.key.map((p) => p.field), ...[...plan.indexes.values()].flatMap((ix) => ix.fields)];
    this.#keyStrings = new Set(keyed.filter((f) => f.type === "string"));
  }

  /** One parameter per column, in column order. */
  params(record: T, fields: readonly FieldDescriptor[] = this.#fields): Param[] {
    const values = record as Record<string, unknown>;
    let json: Record<string, unknown> | undefined;
    return fields.map((f) => {
      const value = values[f.prop];
      if (isJson(f)) {
        json ??= this.model.codec.toJSON(record) as Record<string, unknown>;
        const item = json[f.json];
        return item === undefined ? JSON_EMPTY[f.type] ?? null : JSON.stringify(item);
      }
      if (typeof value === "string" && value.length > KEY_STRING_CHARS && this.#keyStrings.has(f) && [...value].length > KEY_STRING_CHARS) {
        throw invalidArgument(this.model.name, `${f.name} is longer than ${KEY_STRING_CHARS} characters`, f.name);
      }
      return toParam(value);
    });
  }

  /** A record from a row read with `rowsAsArray` over every column. */
  record(row: readonly unknown[]): T {
    const out = this.model.codec.create() as Record<string, unknown>;
    let json: Record<string, unknown> | undefined;
    for (let i = 0; i < this.#fields.length; i++) {
      const f = this.#fields[i] as FieldDescriptor;
      const cell = row[i];
      if (cell === null || cell === undefined) continue;
      if (isJson(f)) {
        // mysql2 parses JSON columns itself when the server reports the JSON type; MariaDB may not.
        (json ??= {})[f.json] = typeof cell === "string" ? JSON.parse(cell) : cell;
        continue;
      }
      out[f.prop] = fromCell(f, cell);
    }
    if (this.#hasJson && json !== undefined) {
      const parsed = this.model.codec.fromJSON(json) as Record<string, unknown>;
      for (const f of this.#fields) if (isJson(f) && f.json in json) out[f.prop] = parsed[f.prop];
    }
    return out as T;
  }
}

export function toParam(value: unknown): Param {
  if (value === undefined || value === null) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return value as Param;
}

function fromCell(f: FieldDescriptor, cell: unknown): unknown {
  switch (f.type) {
    case "int64":
    case "uint64":
      return BigInt(cell as string | number);
    case "bool":
      return cell === 1 || cell === true || cell === "1";
    case "bytes":
      return Uint8Array.from(cell as Buffer);
    case "string":
      return typeof cell === "string" ? cell : String(cell);
    default:
      return typeof cell === "number" ? cell : Number(cell);
  }
}
