// The contract between generated code and the runtime. Browser-safe: no Node built-ins.
export type { AnyMethod, HttpBinding, HttpRoute, HttpVerb, MessageCodec, MethodDescriptor, ServiceDescriptor } from "./descriptor.js";
export { ErrorCode, RonyError, httpStatusOf } from "./errors.js";
export type { CallOptions, Transport } from "./transport.js";
export type { CallContext, Handler, HandlerRegistry } from "./handler.js";
