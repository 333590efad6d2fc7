// Every identifier taken from a schema passes through here before it is printed.

const reservedWords = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally " +
    "for function if import in instanceof new null return super switch this throw true try typeof var void " +
    "while with as implements interface let package private protected public static yield any boolean " +
    "number string symbol type from of await async undefined never unknown object bigint"
  ).split(" "),
);

// Globals that generated code itself uses; a schema name equal to one of them would shadow it.
const usedGlobals = new Set(
  "Promise Object Array Error Map Set Uint8Array Date BigInt Number String Boolean Record Partial globalThis".split(
    " ",
  ),
);

/** True for words that cannot name a type or a variable. */
export function isReservedWord(name: string): boolean {
  return reservedWords.has(name);
}

// "new" would read as a construct signature in an interface.
const unsafeMembers = new Set(["new", "constructor", "__proto__", "prototype", "toString", "valueOf", "hasOwnProperty"]);

/** A top-level identifier (const, class, function, import alias) that is never reserved and never shadows a global. */
export function safeIdentifier(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]/g, "_");
  const leading = /^[0-9]/.test(cleaned) ? `_${cleaned}` : cleaned;
  return reservedWords.has(leading) || usedGlobals.has(leading) ? `${leading}$` : leading;
}

/** A property or method name that is safe on an object or a class. */
export function safeMember(name: string): string {
  return unsafeMembers.has(name) ? `${name}$` : name;
}

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

export function upperFirst(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** "user_id" → "userId", as message modules and protobuf JSON name fields. */
export function camelCase(name: string): string {
  return name.replace(/_+([a-zA-Z0-9])/g, (_m, c: string) => c.toUpperCase());
}

export function pascalCase(name: string): string {
  return upperFirst(camelCase(name));
}

/** "UserProfile" → "user_profile". */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toLowerCase();
}

/** A string literal in generated code. */
export function quote(value: string): string {
  return JSON.stringify(value);
}
