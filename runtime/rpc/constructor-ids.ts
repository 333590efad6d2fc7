// Constructor ids the runtime itself uses: FNV-1a 32-bit of the fully-qualified name, the same
// function the compiler applies to user messages (compiler/constructor-id.ts).

export function fnv1a32(fullName: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(fullName)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A reply whose payload is a rony.RpcError. */
export const RPC_ERROR_ID = fnv1a32("rony.RpcError");
/** A frame whose payload is a rony.MessageContainer (a batch). */
export const CONTAINER_ID = fnv1a32("rony.MessageContainer");
/** A reply whose payload is a rony.Redirect. */
export const REDIRECT_ID = fnv1a32("rony.Redirect");
