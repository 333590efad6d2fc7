// fast-check arbitraries of message values in our generated shape, built per field from the
// protobuf-es descriptors (not from our IR, so a mistake in reading the schema cannot hide itself).
import type { DescEnum, DescField, DescMessage } from "@bufbuild/protobuf";
import { ScalarType } from "@bufbuild/protobuf";
import fc, { type Arbitrary } from "fast-check";

export interface ArbOptions {
  /** Only values whose JSON round-trips: known enum numbers, no -0 in implicit fields. */
  readonly json: boolean;
  /** Every key may be missing, as in a DeepPartial (fromPartial / create input). */
  readonly partial: boolean;
  /** How deep messages nest (Tree, Legacy.next). */
  readonly depth: number;
}

export type Msg = Record<string, unknown>;

const i64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const u64 = { min: 0n, max: 2n ** 64n - 1n };
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const uint32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });

/** Edges first: fast-check biases toward small values, the bugs live at the extremes. */
function bigints(r: { min: bigint; max: bigint }): Arbitrary<bigint> {
  return fc.oneof(fc.constantFrom(r.min, r.max, 0n, -1n < r.min ? 1n : -1n, 2n ** 32n, 2n ** 53n + 1n), fc.bigInt(r));
}

export function scalarArb(t: ScalarType): Arbitrary<unknown> {
  switch (t) {
    case ScalarType.DOUBLE:
      return fc.double();
    case ScalarType.FLOAT:
      return fc.float();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return int32;
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return uint32;
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return bigints(i64);
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return bigints(u64);
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.STRING:
      return fc.string({ unit: "binary", maxLength: 8 });
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 8 });
  }
}

/** Map keys as the object keys both generators use (numbers and bools as their decimal text). */
function mapKeyArb(t: ScalarType): Arbitrary<string> {
  if (t === ScalarType.STRING) return fc.string({ unit: "binary", maxLength: 6 });
  return scalarArb(t).map((k) => String(k));
}

function enumArb(e: DescEnum, opts: ArbOptions): Arbitrary<number> {
  const known = fc.constantFrom(...e.values.map((v) => v.number));
  // Open enums keep unknown numbers on the wire; JSON has no name for them ("UNRECOGNIZED").
  return e.open && !opts.json ? fc.oneof({ arbitrary: known, weight: 4 }, { arbitrary: int32, weight: 1 }) : known;
}

/** No "__proto__" keys: ts-proto's Struct.wrap assigns fields[key], which for "__proto__" sets the
 * prototype and loses the entry (ours keeps it: see the edge test). */
function withoutProtoKeys(v: unknown): boolean {
  if (typeof v !== "object" || v === null) return true;
  return !Object.hasOwn(v, "__proto__") && Object.values(v).every(withoutProtoKeys);
}
const jsonValue = (maxDepth: number) => fc.jsonValue({ maxDepth }).filter(withoutProtoKeys);
const jsonObject = fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== "__proto__"), jsonValue(2), { maxKeys: 3 });
const pathSegment = fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/);

/** Well-known types both generators hold as plain values; undefined for other messages. */
function wellKnownArb(m: DescMessage): Arbitrary<unknown> | undefined {
  switch (m.typeName) {
    case "google.protobuf.Timestamp":
      // Years 1..9999, the range of RFC 3339 and of Timestamp itself.
      return fc.date({ min: new Date(-62135596800000), max: new Date(253402300799999), noInvalidDate: true });
    case "google.protobuf.Struct":
      return jsonObject;
    case "google.protobuf.Value":
      return jsonValue(2);
    case "google.protobuf.ListValue":
      return fc.array(jsonValue(1), { maxLength: 3 });
    case "google.protobuf.FieldMask":
      return fc.array(fc.array(pathSegment, { minLength: 1, maxLength: 2 }).map((s) => s.join(".")), { maxLength: 3 });
  }
  if (m.typeName.startsWith("google.protobuf.") && m.typeName.endsWith("Value")) return scalarArb(m.fields[0]!.scalar!);
  return undefined;
}

export class Arbitraries {
  private readonly cache = new Map<string, Arbitrary<Msg>>();

  constructor(private readonly opts: ArbOptions) {}

  message(m: DescMessage, depth = this.opts.depth): Arbitrary<Msg> {
    const id = `${m.typeName}@${depth}`;
    let arb = this.cache.get(id);
    if (arb === undefined) {
      arb = this.build(m, depth);
      this.cache.set(id, arb);
    }
    return arb;
  }

  private build(m: DescMessage, depth: number): Arbitrary<Msg> {
    const record: Record<string, Arbitrary<unknown>> = {};
    for (const f of m.fields) if (f.oneof === undefined) record[f.jsonName] = this.field(f, depth);
    const plain = fc.record(record, this.opts.partial ? { requiredKeys: [] } : {});
    // A oneof holds at most one member: pick one (or none) and set only its key.
    const oneofs = m.oneofs.map((o) =>
      fc.oneof(fc.constant({}), ...o.fields.map((f) => this.single(f, depth).map((v) => ({ [f.jsonName]: v })))),
    );
    return fc.tuple(plain, ...oneofs).map(([p, ...picked]) => Object.assign({}, p, ...picked) as Msg);
  }

  private field(f: DescField, depth: number): Arbitrary<unknown> {
    const below = depth - 1;
    switch (f.fieldKind) {
      case "list": {
        if (f.listKind === "message" && below < 0 && wellKnownArb(f.message) === undefined) return fc.constant([]);
        const elem = f.listKind === "scalar" ? scalarArb(f.scalar) : f.listKind === "enum" ? enumArb(f.enum, this.opts) : this.messageValue(f.message, below);
        return fc.array(elem, { maxLength: 4 });
      }
      case "map": {
        if (f.mapKind === "message" && below < 0) return fc.constant({});
        const value = f.mapKind === "scalar" ? scalarArb(f.scalar) : f.mapKind === "enum" ? enumArb(f.enum, this.opts) : this.messageValue(f.message, below);
        return fc.dictionary(mapKeyArb(f.mapKey), value, { maxKeys: 3 });
      }
      default: {
        const v = this.single(f, depth);
        if (f.fieldKind === "message") return below < 0 ? fc.constant(undefined) : fc.option(v, { nil: undefined });
        // proto2 optional and proto3 `optional` fields may be unset; implicit ones hold a value.
        return f.presence === 1 ? fc.option(v, { nil: undefined }) : v;
      }
    }
  }

  private single(f: DescField, depth: number): Arbitrary<unknown> {
    switch (f.fieldKind) {
      case "scalar": {
        const s = scalarArb(f.scalar);
        // Implicit -0 is not written (it equals the default), so it comes back as 0.
        return this.opts.json && f.presence === 2 ? s.filter((v) => !Object.is(v, -0)) : s;
      }
      case "enum":
        return enumArb(f.enum, this.opts);
      case "message":
        return depth - 1 < 0 ? fc.constant(undefined) : this.messageValue(f.message, depth - 1);
      default:
        throw new Error(`${f.toString()} is not singular`);
    }
  }

  private messageValue(m: DescMessage, depth: number): Arbitrary<unknown> {
    return wellKnownArb(m) ?? this.message(m, depth);
  }
}
