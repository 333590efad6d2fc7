// The contract between generated code and the runtime. Browser-safe: no Node built-ins.
export type { AnyMethod, HttpBinding, HttpRoute, HttpVerb, MessageCodec, MethodDescriptor, ServiceDescriptor, StreamKind } from "./descriptor.js";
export { ErrorCode, RonyError, httpStatusOf } from "./errors.js";
export type { CallOptions, StreamInputs, Transport } from "./transport.js";
export type { CallContext, Handler, HandlerRegistry, StreamHandlers } from "./handler.js";
export { bidiStream, clientStream, serverStream } from "./stream-calls.js";
export { mapStream } from "./map-stream.js";
export { CONTAINER_ID, REDIRECT_ID, RPC_ERROR_ID, STREAM_CONTROL_ID } from "./constructor-ids.js";
export { DEFAULT_STREAM_WINDOW, STREAM_CONTENT_TYPE, STREAM_TIMEOUT_HEADER, StreamControl, StreamSignal, controlFrame, decodeControl } from "./stream-control.js";
export { StreamCredit, grantDue } from "./stream-credit.js";
export { StreamQueue } from "./stream-queue.js";
export { NO_HEADERS, decodeContainer, decodeEnvelope, decodeEnvelopeHead, encodeContainer, encodeEnvelope, encodeReply, newEnvelopeHead, replyHeadSize, writeReplyHead, type Envelope, type EnvelopeHead } from "./envelope-codec.js";
export { asRonyError, decodeRpcError, encodeRpcError, rpcErrorFromJson, rpcErrorToJson, type RpcErrorJson } from "./rpc-error-codec.js";
export { RedirectError, RedirectReason, decodeRedirect, encodeRedirect, type NodeInfo } from "./redirect.js";
export { clockOf, type CallClock } from "./clock.js";
export { CLIENT_HEADER, SEQ_HEADER } from "./session-headers.js";
export { SLOT_COUNT, slotOf, type ShardKeyValue } from "./shard-slot.js";
