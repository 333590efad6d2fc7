/**
 * Key naming for records that must stay together: `<prefix>:{<shard key>}[:<part>…]`.
 * Every key built from the same shard key carries the same `{hash tag}`, so a record, its
 * index entries and its counters land on one shard / one cluster slot and can share a MULTI
 * or a script. Braces and `%` in the shard key are percent-encoded (and an empty shard key
 * becomes `%`) so a value can never end the tag early or leave it empty.
 */
export function shardedKey(prefix: string, shardKey: string | number | bigint, ...parts: (string | number)[]): string {
  if (/[{}]/.test(prefix)) throw new RangeError(`key prefix ${JSON.stringify(prefix)} must not contain { or }`);
  const tag = encodeTag(String(shardKey));
  return parts.length === 0 ? `${prefix}:{${tag}}` : `${prefix}:{${tag}}:${parts.join(":")}`;
}

function encodeTag(value: string): string {
  if (value === "") return "%";
  return value.replace(/[%{}]/g, (c) => (c === "%" ? "%25" : c === "{" ? "%7B" : "%7D"));
}
