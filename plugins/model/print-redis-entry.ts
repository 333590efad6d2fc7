// A model's RedisEntryBuilder: the key layout of runtime/model/redis/keys.ts written out for its
// fields, so that an insert reads each field once and builds its keys from inlined text, as a
// hand-written insert would. test/model/redis-layout.test.ts holds the output to RedisKeys.
import type { FieldIR, GeneratedFile, ModelIR, Printable } from "../../compiler/index.js";
import { valueType } from "./value-types.js";

// Their text never holds a character keys escape, and is never "" (runtime keyText's checks).
const numeric = new Set(["int32", "uint32", "int64", "uint64", "double", "float", "enum"]);

/** Prints `redisEntry: (base) => ({ entry: (r, body) => { … }, record: (k) => … }),` inside the descriptor literal. */
export function printRedisEntry(out: GeneratedFile, model: ModelIR, rt: (symbol: string) => Printable): void {
  const keyParts = [...model.partitionKey.map((field) => ({ field, descending: false })), ...model.sortKey];
  const indexes = [...model.indexes.filter((ix) => ix.unique), ...model.indexes.filter((ix) => !ix.unique)];
  // Every field whose text a key needs, key fields first, each read once into t<n>.
  const texts: FieldIR[] = [];
  const text = (field: FieldIR): string => {
    let at = texts.findIndex((f) => f.name === field.name);
    if (at < 0) at = texts.push(field) - 1;
    return `\${t${at}}`;
  };
  const pk = keyParts.map((p) => text(p.field)).join(":");
  const partition = model.partitionKey.map(text).join(":");
  for (const ix of indexes) ix.fields.forEach(text);
  const shard = model.shardKey;

  // A field's value in the entry (from the record) or in the record key (from the key values).
  const from = (field: FieldIR, source: "record" | "key", checked: boolean): string => {
    if (source === "record") return `r.${field.tsName}`;
    return `k[${keyParts.findIndex((p) => p.field.name === field.name)}]${checked ? "!" : ""}`;
  };
  const printTexts = (fields: readonly FieldIR[], source: "record" | "key") => {
    fields.forEach((field, i) => {
      const numericText = numeric.has(valueType(field));
      out.print(`      const t${i} = `, numericText ? `String(${from(field, source, false)})` : [rt("keyText"), `(${from(field, source, true)})`], ";");
    });
    if (shard === undefined) out.print("      const tag = `{${base}}`;");
    else if (numeric.has(valueType(shard))) out.print(`      const tag = \`{${text(shard)}}\`;`);
    else out.print("      const tag = ", rt("shardTag"), `(${from(shard, source, true)});`);
  };

  out.print("  redisEntry: (base) => ({");
  // A singleton's entry reads no field.
  out.print(`    entry: (${keyParts.length === 0 ? "_r" : "r"}, body) => {`);
  printTexts(texts, "record");
  out.print(`      const pk = ${literal(pk)};`);
  out.print("      const rec = `${base}:${tag}:r:${pk}`;");
  out.print(`      const part = \`\${base}:\${tag}:p:${partition}\`;`);
  const held: string[] = [];
  const claims: string[] = [];
  const zsets: string[] = [];
  const dirs: string[] = [];
  indexes.forEach((ix, i) => {
    const values = ix.fields.map(text).join(":");
    const name = templateText(ix.name);
    if (ix.unique) {
      out.print(`      const k${i} = \`\${base}:u:${name}:{${values}}\`;`);
      claims.push(`k${i}`);
      held.push(`u\${k${i}}\\n`);
    } else {
      out.print(`      const k${i} = \`\${base}:\${tag}:i:${name}:${values}\`;`);
      zsets.push(`k${i}`);
      held.push(`i\${k${i}}\\n`);
      if (shard === undefined || !ix.fields.some((f) => f.name === shard.name)) dirs.push(`\`\${base}:d:${name}:{${values}}\``);
    }
  });
  const member: Printable[] = ["`"];
  for (const p of keyParts) member.push("${", rt("orderPart"), `(${JSON.stringify(valueType(p.field))}, r.${p.field.tsName}, ${p.descending})}`);
  member.push("|${pk}`");
  out.print("      return {");
  out.print("        tag,");
  out.print(`        keys: [${["rec", "part", ...claims, ...zsets, ...dirs].join(", ")}],`);
  out.print("        rec,");
  out.print("        part,");
  out.print("        member: ", member, ",");
  out.print("        body,");
  out.print(`        held: ${literal(held.join(""))},`);
  out.print("      };");
  out.print("    },");
  // Reads by key build only the record key: the key fields come first among the texts.
  out.print(`    record: (${keyParts.length === 0 ? "_k" : "k"}) => {`);
  printTexts(texts.slice(0, keyParts.length), "key");
  out.print(`      return \`\${base}:\${tag}:r:${pk}\`;`);
  out.print("    },");
  out.print("  }),");
}

/** A template literal, or "" when it is empty. */
function literal(template: string): string {
  return template === "" ? '""' : `\`${template}\``;
}

/** Text inside a template literal: backslashes, backticks and `${` escaped. */
function templateText(s: string): string {
  return s.replace(/[\\`]|\$\{/g, (c) => `\\${c}`);
}
