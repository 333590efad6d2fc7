// google.protobuf.Struct, Value, ListValue and FieldMask are held as plain values in messages
// (an object, any JSON value, an array, string[]); their codecs get wrap() and unwrap() to convert.
import type { MessageDefIR, Printable } from "../../compiler/index.js";
import type { ModuleContext } from "./module-context.js";

const fns: Record<string, { plain: string; wrap: string[]; unwrap: string[] }> = {
  "google.protobuf.Struct": {
    plain: "{ [key: string]: any }",
    wrap: [
      "    const struct = BASE();",
      "    if (object !== undefined) for (const k of globalThis.Object.keys(object)) setEntry(struct.fields, k, object[k]);",
      "    return struct;",
    ],
    unwrap: [
      "    const object: { [key: string]: any } = {};",
      "    for (const k of globalThis.Object.keys(message.fields)) setEntry(object, k, message.fields[k]);",
      "    return object;",
    ],
  },
  "google.protobuf.Value": {
    plain: "any",
    wrap: [
      "    const result = BASE();",
      "    if (object === null) result.nullValue = NullValue.NULL_VALUE;",
      '    else if (typeof object === "boolean") result.boolValue = object;',
      '    else if (typeof object === "number") result.numberValue = object;',
      '    else if (typeof object === "string") result.stringValue = object;',
      "    else if (globalThis.Array.isArray(object)) result.listValue = object;",
      '    else if (typeof object === "object") result.structValue = object;',
      '    else if (object !== undefined) throw new globalThis.TypeError(`a ${typeof object} is not a JSON value`);',
      "    return result;",
    ],
    unwrap: [
      "    if (message.stringValue !== undefined) return message.stringValue;",
      "    if (message.numberValue !== undefined) return message.numberValue;",
      "    if (message.boolValue !== undefined) return message.boolValue;",
      "    if (message.structValue !== undefined) return message.structValue;",
      "    if (message.listValue !== undefined) return message.listValue;",
      "    if (message.nullValue !== undefined) return null;",
      "    return undefined;",
    ],
  },
  "google.protobuf.ListValue": {
    plain: "Array<any>",
    wrap: ["    const list = BASE();", "    list.values = object ?? [];", "    return list;"],
    unwrap: ["    return message.values;"],
  },
  "google.protobuf.FieldMask": {
    plain: "string[]",
    wrap: ["    const mask = BASE();", "    mask.paths = object ?? [];", "    return mask;"],
    unwrap: ["    return message.paths;"],
  },
};

/** The extra type of the codec const (`& { wrap…; unwrap… }`), or "". */
export function wellKnownType(m: MessageDefIR): string {
  const f = fns[m.fullName];
  return f === undefined ? "" : ` & { wrap(object: ${f.plain} | undefined): ${m.tsName}; unwrap(message: ${m.tsName}): ${f.plain} }`;
}

export function wellKnownMembers(ctx: ModuleContext, m: MessageDefIR, base: string): Printable[][] {
  const f = fns[m.fullName];
  if (f === undefined) return [];
  if (m.fullName === "google.protobuf.Struct") ctx.use("setEntry");
  const body = (lines: string[]) => lines.map((l) => [l.replace("BASE", base)]);
  return [
    [],
    [`  wrap(object: ${f.plain} | undefined): ${m.tsName} {`],
    ...body(f.wrap),
    ["  },"],
    [],
    [`  unwrap(message: ${m.tsName}): ${f.plain} {`],
    ...body(f.unwrap),
    ["  },"],
  ];
}
