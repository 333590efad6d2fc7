// Constructor ids of the wire format's own messages. They are what the compiler's
// constructorId() (compiler/constructor-id.ts) gives their names; the runtime may not import
// the compiler, so they are written here and test/constructor-ids.test.ts holds them equal.

/** A reply whose payload is a rony.RpcError. */
export const RPC_ERROR_ID = 0x3e77dee4;
/** A frame whose payload is a rony.MessageContainer (a batch). */
export const CONTAINER_ID = 0xba1f1efd;
/** A reply whose payload is a rony.Redirect. */
export const REDIRECT_ID = 0x37964aff;
/** A stream's control frame: the payload is a rony.StreamControl (docs/streams.md). */
export const STREAM_CONTROL_ID = 0x9de422e0;
