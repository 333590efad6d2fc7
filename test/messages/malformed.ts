// Malformed input: random bytes and corrupted valid encodings, and how our decoder may differ from
// ts-proto's on them. Found by fuzzing; each difference is ours following protobuf where ts-proto
// does not, so it is allowed here and nothing else is:
// - ours throws where ts-proto returns (allowed: the input is malformed):
//   · an end-group tag that does not match its start group ("invalid end group tag"): ts-proto
//     skips groups without passing the field number, so it accepts any end tag;
//   · an end-group or invalid wire type inside a map entry ("cant skip wire type 4/6"): ts-proto's
//     entry decoder stops there and the outer loop reads on from the middle of the entry;
//   · a truncated entry ("premature EOF") that ts-proto's early stop never reaches.
// - a map entry without a value, in a map of messages: ours stores the empty message (protobuf
//   reads a missing value as its default: {}, the epoch for a Timestamp, 0 for an Int64Value…);
//   ts-proto drops the entry, keeping an earlier entry of the same key if there was one. A
//   map<_, google.protobuf.Value> (Struct fields too) keeps the key with undefined.
// - a zero tag, or an end-group tag inside a length-delimited message: ours throws ("invalid
//   tag"); ts-proto stops the message there and the enclosing message reads on from the middle
//   of it. At the top level (no length: it may be a group) both stop. Protobuf calls such input
//   invalid, and protobuf-es rejects it: results are compared only on input protobuf-es accepts.
// - a Timestamp whose nanos are not a whole millisecond: ours floors to the millisecond in
//   integers; ts-proto adds fractional milliseconds in floating point, which can round up by one.
import { fromBinary, type DescMessage } from "@bufbuild/protobuf";
import fc, { type Arbitrary } from "fast-check";
import type { Msg } from "./arbitraries.js";

/** Valid encodings with up to three bytes overwritten, half of them also cut short; and noise. */
export function malformedBytes(valid: Arbitrary<Uint8Array>): Arbitrary<Uint8Array> {
  const corrupted = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 3 }), fc.nat()).map(([b, edits, cut]) => {
    const c = b.slice(0, b.length - (cut % 2) * (cut % (b.length + 1)));
    for (const [i, v] of edits) if (c.length > 0) c[i % c.length] = v;
    return c;
  });
  return fc.oneof(corrupted, fc.uint8Array({ maxLength: 40 }));
}

/** The value of an empty message of a type, as a field holds it. */
export type EmptyOf = (m: DescMessage) => unknown;

const plainEmpty: Record<string, () => unknown> = {
  "google.protobuf.Timestamp": () => new Date(0),
  "google.protobuf.Struct": () => ({}),
  "google.protobuf.ListValue": () => [],
  "google.protobuf.FieldMask": () => [],
  "google.protobuf.Value": () => undefined,
};

/** `EmptyOf` from a decoder of empty messages (our own: the entry rule is checked against ts-proto's
 * decoding of valid input elsewhere); well-known types become their plain values. */
export function emptyValues(decodeEmpty: (m: DescMessage) => Msg): EmptyOf {
  return (m) => {
    const plain = plainEmpty[m.typeName];
    if (plain !== undefined) return plain();
    const wrapper = m.typeName.startsWith("google.protobuf.") && m.typeName.endsWith("Value");
    return wrapper ? decodeEmpty(m).value : decodeEmpty(m);
  };
}

/** Deep equality that allows the differences listed in the header. */
export function agreeOnMalformed(m: DescMessage | undefined, ours: unknown, theirs: unknown, empty: EmptyOf): boolean {
  if (ours instanceof Date && theirs instanceof Date) return Object.is(ours.getTime(), theirs.getTime()) || Math.abs(ours.getTime() - theirs.getTime()) === 1;
  if (ours instanceof Uint8Array && theirs instanceof Uint8Array) return ours.length === theirs.length && ours.every((b, i) => b === theirs[i]);
  if (Array.isArray(ours) && Array.isArray(theirs)) return ours.length === theirs.length && ours.every((e, i) => agreeOnMalformed(m, e, theirs[i], empty));
  // Inside Struct values there is no descriptor: undefined is an entry without a value (header).
  if (m === undefined && ours === undefined) return true;
  if (!isObject(ours) || !isObject(theirs)) return Object.is(ours, theirs);
  const keys = new Set([...Object.keys(ours), ...Object.keys(theirs)]);
  for (const k of keys) {
    const f = m?.fields.find((x) => x.jsonName === k);
    const sub = f?.message;
    const messageMap = f?.fieldKind === "map" && f.mapKind === "message";
    if (messageMap && isObject(ours[k]) && isObject(theirs[k])) {
      if (!agreeMaps(sub as DescMessage, ours[k], theirs[k], empty)) return false;
    } else if (!agreeOnMalformed(f?.fieldKind === "map" ? undefined : sub, ours[k], theirs[k], empty)) {
      return false;
    }
  }
  return true;
}

/** Entries where ours holds the empty message may be missing or older in ts-proto's (header). */
function agreeMaps(m: DescMessage, ours: Msg, theirs: Msg, empty: EmptyOf): boolean {
  const isEmpty = (k: string) => agreeOnMalformed(m, ours[k], empty(m), empty);
  const same = (k: string) => isEmpty(k) || (Object.hasOwn(theirs, k) && agreeOnMalformed(m, ours[k], theirs[k], empty));
  return Object.keys(ours).every(same) && Object.keys(theirs).every((k) => Object.hasOwn(ours, k));
}

function isObject(v: unknown): v is Msg {
  return typeof v === "object" && v !== null;
}

/** Whether protobuf-es, the reference decoder here, reads `bytes` as an `m` without error. */
export function acceptedByReference(m: DescMessage, bytes: Uint8Array): boolean {
  try {
    fromBinary(m, bytes);
    return true;
  } catch {
    return false;
  }
}
