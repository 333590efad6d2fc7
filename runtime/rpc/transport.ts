import type { MethodDescriptor } from "./descriptor.js";

export interface CallOptions {
  /** Overrides the rpc's `timeout_ms` and the transport default. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** What generated clients call through; WebSocket and HTTP clients both implement it. */
export interface Transport {
  call<I, O>(method: MethodDescriptor<I, O>, input: I, options?: CallOptions): Promise<O>;
}
