// Server streams over HTTP/1.1 with fetch: the open envelope POSTed to the RPC endpoint, the
// outputs read from the streamed response as they arrive (framing: runtime/edge/http-stream.ts,
// docs/streams.md). Leaving the loop aborts the fetch, which cancels the stream on the server.
import {
  ErrorCode,
  NO_HEADERS,
  RPC_ERROR_ID,
  RonyError,
  STREAM_CONTENT_TYPE,
  STREAM_CONTROL_ID,
  STREAM_TIMEOUT_HEADER,
  StreamSignal,
  decodeControl,
  decodeEnvelope,
  decodeRpcError,
  encodeEnvelope,
  type CallOptions,
  type MethodDescriptor,
  type StreamInputs,
} from "../rpc/index.js";
import { readReply } from "./reply.js";

export interface HttpStreamTarget {
  readonly url: string;
  readonly fetch: typeof fetch;
  readonly headers: Record<string, string> | undefined;
  /** Turns a non-stream reply (a JSON error, an error envelope) into its RonyError. */
  readonly errorOf: (res: Response) => Promise<RonyError>;
}

export async function* httpServerStream<I, O>(target: HttpStreamTarget, method: MethodDescriptor<I, O>, inputs: StreamInputs<I>, options: CallOptions): AsyncGenerator<O> {
  if (method.streaming !== "server" || !("one" in inputs)) {
    throw new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} is a ${method.streaming ?? "unary"} rpc: HTTP/1.1 carries server streams only; use WebSocketTransport`);
  }
  const timeoutMs = options.timeoutMs ?? method.timeoutMs;
  const controller = new AbortController();
  let deadlinePassed = false;
  const timer = timeoutMs > 0 ? setTimeout(() => ((deadlinePassed = true), controller.abort()), timeoutMs) : undefined;
  const onAbort = () => controller.abort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const headers: Record<string, string> = { ...target.headers, ...options.headers };
  if (timeoutMs > 0) headers[STREAM_TIMEOUT_HEADER] = String(timeoutMs);
  try {
    const frame = encodeEnvelope({
      constructorId: method.constructorId,
      requestId: 1,
      payload: method.input.encode(inputs.one).finish(),
      headers: Object.keys(headers).length === 0 ? (NO_HEADERS as Record<string, string>) : headers,
    });
    const res = await target.fetch(target.url, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: frame, signal: controller.signal });
    if (!(res.headers.get("content-type") ?? "").startsWith(STREAM_CONTENT_TYPE) || res.body === null) throw await target.errorOf(res);
    const reader = res.body.getReader();
    let buffered: Uint8Array = new Uint8Array(0);
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new RonyError(ErrorCode.UNAVAILABLE, `the ${method.name} stream was cut short`);
      buffered = buffered.length === 0 ? value : concat(buffered, value);
      let at = 0;
      while (buffered.length - at >= 4) {
        const length = new DataView(buffered.buffer, buffered.byteOffset + at, 4).getUint32(0);
        if (buffered.length - at - 4 < length) break;
        const env = decodeEnvelope(buffered.subarray(at + 4, at + 4 + length));
        at += 4 + length;
        if (env.constructorId === method.outputConstructorId) {
          yield readReply(method, env) as O;
        } else if (env.constructorId === STREAM_CONTROL_ID) {
          if (decodeControl(env.payload).signal === StreamSignal.END) return;
        } else if (env.constructorId === RPC_ERROR_ID) {
          throw decodeRpcError(env.payload);
        } else {
          readReply(method, env); // throws the right error for a redirect or a stray constructor
        }
      }
      buffered = buffered.subarray(at);
    }
  } catch (e) {
    if (e instanceof RonyError) throw e;
    if (deadlinePassed) throw new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} ran past its ${timeoutMs} ms deadline`);
    if (options.signal?.aborted) throw new RonyError(ErrorCode.CANCELLED, "aborted");
    throw new RonyError(ErrorCode.UNAVAILABLE, `${method.name} stream failed: ${(e as Error).message}`);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
    controller.abort(); // a reader that left early cancels the stream on the server
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
