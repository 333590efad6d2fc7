// Stream control frames (rony.StreamControl inside an envelope), shared by the edge and clients.
import { StreamControl, StreamSignal } from "../../generated/rony/envelope.js";
import { STREAM_CONTROL_ID } from "./constructor-ids.js";
import { NO_HEADERS, encodeEnvelope } from "./envelope-codec.js";
import { ErrorCode, RonyError } from "./errors.js";

export { StreamControl, StreamSignal };

/** The envelope of one control frame on stream `requestId`. */
export function controlFrame(requestId: number, signal: StreamSignal, credit = 0, timeoutMs = 0): Uint8Array {
  const payload = StreamControl.encode({ signal, credit, timeoutMs }).finish();
  return encodeEnvelope({ constructorId: STREAM_CONTROL_ID, requestId, payload, headers: NO_HEADERS as Record<string, string> });
}

export function decodeControl(payload: Uint8Array): StreamControl {
  try {
    return StreamControl.decode(payload);
  } catch {
    throw new RonyError(ErrorCode.INVALID_ARGUMENT, "malformed frame: unreadable stream control");
  }
}

/** Messages a side lets the other send before it grants more, unless told otherwise. */
export const DEFAULT_STREAM_WINDOW = 256;

/** Content type of a server stream over HTTP: 4-byte big-endian length + envelope, repeated. */
export const STREAM_CONTENT_TYPE = "application/x-rony-stream";
/** Envelope header carrying a server stream's deadline over HTTP (the WebSocket has StreamControl). */
export const STREAM_TIMEOUT_HEADER = "rony-timeout-ms";
