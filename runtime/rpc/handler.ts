import type { AnyMethod, MethodDescriptor } from "./descriptor.js";

/** What every handler receives beside its input. Servers may extend it (models, auth …). */
export interface CallContext {
  readonly method: AnyMethod;
  readonly headers: Readonly<Record<string, string>>;
  /** Streaming calls only: aborts when the caller cancels, the deadline passes or the connection drops. */
  readonly signal?: AbortSignal;
}

/**
 * A unary rpc's implementation. It may answer with a plain value: the edge then replies at once,
 * with no promise step (the common case of a handler that computes without waiting).
 */
export type Handler<I, O, Ctx extends CallContext = CallContext> = (input: I, ctx: Ctx) => O | Promise<O>;

/**
 * A streaming rpc's implementation, under the key of its kind. Inputs are async iterables the
 * runtime fills as the caller sends (and pauses by flow control); outputs are pulled only as
 * fast as the caller reads. `ctx.signal` aborts when the caller cancels or the deadline passes.
 */
export type StreamHandlers<I, O, Ctx extends CallContext = CallContext> =
  | { readonly server: (input: I, ctx: Ctx) => AsyncIterable<O> }
  | { readonly client: (inputs: AsyncIterable<I>, ctx: Ctx) => Promise<O> }
  | { readonly bidi: (inputs: AsyncIterable<I>, ctx: Ctx) => AsyncIterable<O> };

/** Where `register<Service>()` puts handlers; the edge dispatcher implements it. */
export interface HandlerRegistry<Ctx extends CallContext = CallContext> {
  add<I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, Ctx>): void;
  /** A streaming rpc (method.streaming is set). */
  addStream<I, O>(method: MethodDescriptor<I, O>, handlers: StreamHandlers<I, O, Ctx>): void;
}
