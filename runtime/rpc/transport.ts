import type { MethodDescriptor } from "./descriptor.js";

export interface CallOptions {
  /** Overrides the rpc's `timeout_ms` and the transport default. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The inputs of a stream: the one input of a server stream, or an iterable of them. */
export type StreamInputs<I> = { readonly one: I } | { readonly many: AsyncIterable<I> | Iterable<I> };

/** What generated clients call through; WebSocket and HTTP clients both implement it. */
export interface Transport {
  call<I, O>(method: MethodDescriptor<I, O>, input: I, options?: CallOptions): Promise<O>;
  /**
   * A streaming rpc (method.streaming is set): the outputs as the server sends them. Leaving the
   * loop early (break, return, a throw) cancels the call on the server. Transports that cannot
   * stream leave this out, and generated clients answer UNIMPLEMENTED.
   */
  stream?<I, O>(method: MethodDescriptor<I, O>, inputs: StreamInputs<I>, options?: CallOptions): AsyncIterable<O>;
}
