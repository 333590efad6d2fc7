// Constructor ids: the 32-bit numbers that name rpcs and messages on the wire.
//
// id = FNV-1a 32-bit over the UTF-8 bytes of the fully-qualified name, without a leading dot
// ("examples.echo.Echo.Say", "examples.echo.EchoReply"). Offset basis 0x811c9dc5, prime 0x01000193.
// The id depends on the name alone, so it is stable forever; renaming an rpc changes its id.
// Two names with one id stop generation (see validate.ts); docs/constructor-ids.md has the details.

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;
const utf8 = new TextEncoder();

export function constructorId(fullName: string): number {
  let hash = OFFSET_BASIS;
  for (const byte of utf8.encode(fullName)) {
    hash ^= byte;
    hash = Math.imul(hash, PRIME);
  }
  return hash >>> 0;
}

export function formatConstructorId(id: number): string {
  return `0x${id.toString(16).padStart(8, "0")}`;
}
