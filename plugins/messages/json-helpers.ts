// The readers fromJSON uses, one per JSON form of the proto3 JSON mapping
// (protobuf.dev/programming-guides/json). Anything the mapping does not allow throws a TypeError
// naming the field ("EchoRequest.intValue: …"): a server turns it into INVALID_ARGUMENT.
// Integers are exact: a number or a string holding a JSON number ("1e3", "10.0"), integral and in
// the field's range. A 64-bit JSON number past 2^53 is refused, since JSON.parse already rounded it.

export const jsonSources: Record<string, string> = {
  jsonFail: `function jsonFail(field: string, value: any, expected: string): never {
  const shown = globalThis.JSON.stringify(value) ?? globalThis.String(value);
  throw new globalThis.TypeError(\`\${field}: \${shown.length > 40 ? \`\${shown.slice(0, 40)}…\` : shown} is not \${expected}\`);
}`,
  jsonInteger: `function jsonInteger(value: any, field: string, type: string): bigint {
  if (typeof value === "number") {
    if (globalThis.Number.isSafeInteger(value)) return globalThis.BigInt(value);
    if (globalThis.Number.isInteger(value)) jsonFail(field, value, \`\${type} given exactly: past 2^53 a JSON number is rounded, send a string\`);
    jsonFail(field, value, type);
  }
  if (typeof value === "string" && /^-?(0|[1-9]\\d*)$/.test(value)) return globalThis.BigInt(value); // the form toJSON writes
  const m = typeof value === "string" ? /^(-?)(0|[1-9]\\d*)(?:\\.(\\d+))?(?:[eE]([+-]?\\d+))?$/.exec(value) : null;
  if (m === null) jsonFail(field, value, type);
  const fraction = m[3] ?? "";
  let digits = (m[2] + fraction).replace(/^0+/, "");
  const exponent = globalThis.Number(m[4] ?? "0") - fraction.length;
  if (digits === "") return 0n;
  if (exponent < 0) {
    if (-exponent >= digits.length || !/^0+$/.test(digits.slice(exponent))) jsonFail(field, value, type);
    digits = digits.slice(0, exponent);
  } else if (digits.length + exponent > 40) {
    jsonFail(field, value, type); // far out of any integer range; do not build the number
  } else {
    digits += "0".repeat(exponent);
  }
  const n = globalThis.BigInt(digits);
  return m[1] === "-" ? -n : n;
}`,
  jsonInt32: `function jsonInt32(value: any, field: string): number {
  if (typeof value === "number" && value >= -2147483648 && value <= 2147483647 && globalThis.Number.isInteger(value)) return value | 0;
  const n = jsonInteger(value, field, "an int32");
  if (n < -2147483648n || n > 2147483647n) jsonFail(field, value, "an int32");
  return globalThis.Number(n);
}`,
  jsonUint32: `function jsonUint32(value: any, field: string): number {
  if (typeof value === "number" && value >= 0 && value <= 4294967295 && globalThis.Number.isInteger(value)) return value >>> 0;
  const n = jsonInteger(value, field, "a uint32");
  if (n < 0n || n > 4294967295n) jsonFail(field, value, "a uint32");
  return globalThis.Number(n);
}`,
  jsonInt64: `function jsonInt64(value: any, field: string): bigint {
  const n = jsonInteger(value, field, "an int64");
  if (globalThis.BigInt.asIntN(64, n) !== n) jsonFail(field, value, "an int64");
  return n;
}`,
  jsonUint64: `function jsonUint64(value: any, field: string): bigint {
  const n = jsonInteger(value, field, "a uint64");
  if (globalThis.BigInt.asUintN(64, n) !== n) jsonFail(field, value, "a uint64");
  return n;
}`,
  // "NaN", "Infinity" and "-Infinity" are strings in JSON; numbers may come as strings too.
  jsonDouble: `function jsonDouble(value: any, field: string, type = "a double"): number {
  if (typeof value === "number") return value;
  if (value === "NaN") return globalThis.Number.NaN;
  if (value === "Infinity") return globalThis.Number.POSITIVE_INFINITY;
  if (value === "-Infinity") return globalThis.Number.NEGATIVE_INFINITY;
  const n = typeof value === "string" && /^-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?$/.test(value) ? globalThis.Number(value) : globalThis.Number.NaN;
  if (!globalThis.Number.isFinite(n)) jsonFail(field, value, type);
  return n;
}`,
  jsonFloat: `function jsonFloat(value: any, field: string): number {
  const n = jsonDouble(value, field, "a float");
  if (globalThis.Number.isFinite(n) && !globalThis.Number.isFinite(globalThis.Math.fround(n))) jsonFail(field, value, "a float");
  return n;
}`,
  jsonBool: `function jsonBool(value: any, field: string): boolean {
  if (typeof value !== "boolean") jsonFail(field, value, "a JSON boolean");
  return value;
}`,
  jsonString: `function jsonString(value: any, field: string): string {
  if (typeof value !== "string") jsonFail(field, value, "a JSON string");
  return value;
}`,
  // Standard or URL-safe base64, padded or not.
  jsonBytes: `function jsonBytes(value: any, field: string): globalThis.Uint8Array {
  if (typeof value !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(value) || value.replace(/=+$/, "").length % 4 === 1) jsonFail(field, value, "base64");
  return bytesFromBase64(value.replace(/-/g, "+").replace(/_/g, "/"));
}`,
  jsonObject: `function jsonObject(value: any, field: string): any {
  if (typeof value !== "object" || value === null || globalThis.Array.isArray(value)) jsonFail(field, value, "a JSON object");
  return value;
}`,
  jsonArray: `function jsonArray(value: any, field: string): any[] {
  if (!globalThis.Array.isArray(value)) jsonFail(field, value, "a JSON array");
  return value;
}`,
  // An enum is its value's name or its number; numbers the enum does not name are kept, as on the wire.
  jsonEnum: `function jsonEnum<E>(value: any, field: string, read: (v: any) => E, name: (e: E) => string): E {
  if (typeof value !== "string") return jsonInt32(value, field) as E;
  const e = read(value);
  if ((e as any) === -1 && (value === "UNRECOGNIZED" || name(e) !== value)) jsonFail(field, value, "a name of the enum");
  return e;
}`,
  jsonMapBool: `function jsonMapBool(key: string, field: string): string {
  if (key !== "true" && key !== "false") jsonFail(field, key, "a bool map key");
  return key;
}`,
};

export const jsonRequires: Record<string, string[]> = {
  jsonInteger: ["jsonFail"],
  jsonInt32: ["jsonInteger"],
  jsonUint32: ["jsonInteger"],
  jsonInt64: ["jsonInteger"],
  jsonUint64: ["jsonInteger"],
  jsonDouble: ["jsonFail"],
  jsonFloat: ["jsonDouble"],
  jsonBool: ["jsonFail"],
  jsonString: ["jsonFail"],
  jsonBytes: ["jsonFail", "base64"],
  jsonObject: ["jsonFail"],
  jsonArray: ["jsonFail"],
  jsonEnum: ["jsonInt32"],
  jsonMapBool: ["jsonFail"],
};
