// Notes as a sharded service, for the slot tests until the Wallets example lands: the same
// generated rpcs and models, registered with replication "sharded" and the notebook as shard key
// (the Note model's shard key too), so a call and the records it writes fall in one slot.
import type { CallContext, HandlerRegistry, MethodDescriptor } from "rony-ts/runtime";

/** The registry `registry`, with every method it is given turned sharded on `notebook`. */
export function shardedByNotebook<Ctx extends CallContext>(registry: HandlerRegistry<Ctx>): HandlerRegistry<Ctx> {
  return {
    add: (method, handler) => registry.add(shardedMethod(method), handler),
    addStream: (method, handlers) => registry.addStream(method, handlers),
  };
}

export function shardedMethod<I, O>(method: MethodDescriptor<I, O>): MethodDescriptor<I, O> {
  return { ...method, replication: "sharded", shardKey: (input: I) => (input as { notebook: string }).notebook };
}
