// What generated clients call for streaming rpcs: one function per stream kind over
// Transport.stream, so the generated code stays one line per method.
import type { MethodDescriptor } from "./descriptor.js";
import { ErrorCode, RonyError } from "./errors.js";
import type { CallOptions, StreamInputs, Transport } from "./transport.js";

function open<I, O>(transport: Transport, method: MethodDescriptor<I, O>, inputs: StreamInputs<I>, options?: CallOptions): AsyncIterable<O> {
  if (transport.stream === undefined) {
    throw new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} streams, and this transport cannot stream`);
  }
  return transport.stream(method, inputs, options);
}

/** One input, the outputs as they come. */
export function serverStream<I, O>(transport: Transport, method: MethodDescriptor<I, O>, input: I, options?: CallOptions): AsyncIterable<O> {
  return open(transport, method, { one: input }, options);
}

/** The inputs as the caller produces them, the one output at the end. */
export async function clientStream<I, O>(transport: Transport, method: MethodDescriptor<I, O>, inputs: AsyncIterable<I> | Iterable<I>, options?: CallOptions): Promise<O> {
  let output: O | undefined;
  let got = false;
  for await (const o of open(transport, method, { many: inputs }, options)) {
    output = o;
    got = true;
  }
  if (!got) throw new RonyError(ErrorCode.INTERNAL, `${method.service}.${method.name} ended without its output`);
  return output as O;
}

/** Inputs and outputs both as they come. */
export function bidiStream<I, O>(transport: Transport, method: MethodDescriptor<I, O>, inputs: AsyncIterable<I> | Iterable<I>, options?: CallOptions): AsyncIterable<O> {
  return open(transport, method, { many: inputs }, options);
}
