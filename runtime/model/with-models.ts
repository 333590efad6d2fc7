// Services reach their models through the call context: wrap the server's handler registry,
// and every handler registered through the wrapper sees `ctx.models`.
//
//   const models = createNotesModels(await openNotesConnections());
//   registerNotes(withModels(server, models), new NotesService());   // NotesServer<ModelContext<NotesModels>>
import type { CallContext, Handler, HandlerRegistry, MethodDescriptor, StreamHandlers } from "../rpc/index.js";

/** The context of a handler registered through `withModels`. */
export type ModelContext<M, Ctx extends CallContext = CallContext> = Ctx & { readonly models: M };

export function withModels<M, Ctx extends CallContext>(registry: HandlerRegistry<Ctx>, models: M): HandlerRegistry<ModelContext<M, Ctx>> {
  return {
    add<I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, ModelContext<M, Ctx>>): void {
      // The per-call context object gets one more property (no object allocated per call); the
      // edge's own fields stay as they are.
      registry.add(method, (input, ctx) => {
        (ctx as Ctx & { models: M }).models = models;
        return handler(input, ctx as ModelContext<M, Ctx>);
      });
    },
    addStream<I, O>(method: MethodDescriptor<I, O>, handlers: StreamHandlers<I, O, ModelContext<M, Ctx>>): void {
      const withModel = (ctx: Ctx): ModelContext<M, Ctx> => {
        (ctx as Ctx & { models: M }).models = models;
        return ctx as ModelContext<M, Ctx>;
      };
      if ("server" in handlers) registry.addStream(method, { server: (input, ctx) => handlers.server(input, withModel(ctx)) });
      else if ("client" in handlers) registry.addStream(method, { client: (inputs, ctx) => handlers.client(inputs, withModel(ctx)) });
      else registry.addStream(method, { bidi: (inputs, ctx) => handlers.bidi(inputs, withModel(ctx)) });
    },
  };
}
