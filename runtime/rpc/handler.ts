import type { AnyMethod, MethodDescriptor } from "./descriptor.js";

/** What every handler receives beside its input. Servers may extend it (models, auth …). */
export interface CallContext {
  readonly method: AnyMethod;
  readonly headers: Readonly<Record<string, string>>;
}

export type Handler<I, O, Ctx extends CallContext = CallContext> = (input: I, ctx: Ctx) => Promise<O>;

/** Where `register<Service>()` puts handlers; the edge dispatcher implements it. */
export interface HandlerRegistry<Ctx extends CallContext = CallContext> {
  add<I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, Ctx>): void;
}
