// A Transport over fetch: binary envelopes to the RPC endpoint, or the rpc's REST route.
import {
  ErrorCode,
  NO_HEADERS,
  RonyError,
  decodeEnvelope,
  encodeEnvelope,
  rpcErrorFromJson,
  type CallOptions,
  type MethodDescriptor,
  type StreamInputs,
  type Transport,
} from "../rpc/index.js";
import { httpServerStream } from "./http-stream.js";
import { codeOfStatus, readReply } from "./reply.js";
import { restRequest } from "./rest-request.js";

const utf8 = new TextDecoder();

export interface HttpTransportOptions {
  /** "rpc" (default) POSTs envelopes to rpcPath; "rest" uses each rpc's HTTP binding when it has one. */
  mode?: "rpc" | "rest";
  rpcPath?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export class HttpTransport implements Transport {
  readonly #base: string;
  readonly #options: HttpTransportOptions;
  readonly #fetch: typeof fetch;

  constructor(baseUrl: string, options: HttpTransportOptions = {}) {
    this.#base = baseUrl.replace(/\/+$/, "");
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  async call<I, O>(method: MethodDescriptor<I, O>, input: I, options: CallOptions = {}): Promise<O> {
    const timeoutMs = options.timeoutMs ?? (method.timeoutMs || (this.#options.timeoutMs ?? 10_000));
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const headers = { ...this.#options.headers, ...options.headers };
    try {
      if (this.#options.mode === "rest" && method.http !== undefined) return await this.#rest(method, input, headers, controller.signal);
      return await this.#rpc(method, input, headers, controller.signal);
    } catch (e) {
      if (e instanceof RonyError) throw e;
      if (controller.signal.aborted) {
        throw options.signal?.aborted
          ? new RonyError(ErrorCode.CANCELLED, "aborted")
          : new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} got no reply in ${timeoutMs} ms`);
      }
      throw new RonyError(ErrorCode.UNAVAILABLE, `cannot reach ${this.#base}: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /**
   * A go-nano pattern call: POSTs `{"Pattern": pattern, …payload}` to the server's `/` and
   * resolves with the handler's JSON output (docs/patterns.md).
   */
  async act(pattern: string, payload: Record<string, unknown> = {}, options: CallOptions = {}): Promise<unknown> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs ?? 10_000;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const onAbort = () => controller.abort();
    options.signal?.addEventListener("abort", onAbort, { once: true });
    let res: Response;
    let bytes: Uint8Array;
    try {
      res = await this.#fetch(`${this.#base}/`, {
        method: "POST",
        headers: { ...this.#options.headers, ...options.headers, "content-type": "application/json" },
        body: JSON.stringify({ ...payload, Pattern: pattern }),
        signal: controller.signal,
      });
      bytes = new Uint8Array(await res.arrayBuffer());
    } catch (e) {
      if (options.signal?.aborted) throw new RonyError(ErrorCode.CANCELLED, "aborted");
      if (controller.signal.aborted) throw new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${pattern} got no reply in ${timeoutMs} ms`);
      throw new RonyError(ErrorCode.UNAVAILABLE, `cannot reach ${this.#base}: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
    if (res.status !== 200) throw await errorOfJson(res.status, bytes);
    try {
      return JSON.parse(utf8.decode(bytes)) as unknown;
    } catch {
      throw new RonyError(ErrorCode.INTERNAL, `unreadable reply to ${pattern}`);
    }
  }

  /** Server streams only (a streamed response); client and bidi streams fail with UNIMPLEMENTED. */
  stream<I, O>(method: MethodDescriptor<I, O>, inputs: StreamInputs<I>, options: CallOptions = {}): AsyncIterable<O> {
    const target = {
      url: `${this.#base}${this.#options.rpcPath ?? "/rpc"}`,
      fetch: this.#fetch,
      headers: this.#options.headers,
      errorOf: async (res: Response): Promise<RonyError> => {
        const bytes = new Uint8Array(await res.arrayBuffer());
        if (res.headers.get("content-type")?.startsWith("application/json")) return errorOfJson(res.status, bytes);
        try {
          readReply(method, decodeEnvelope(bytes));
        } catch (e) {
          if (e instanceof RonyError) return e;
        }
        return new RonyError(codeOfStatus(res.status), `unreadable ${method.name} stream reply (HTTP ${res.status})`);
      },
    };
    return httpServerStream(target, method, inputs, options);
  }

  async #rpc<I, O>(method: MethodDescriptor<I, O>, input: I, headers: Record<string, string>, signal: AbortSignal): Promise<O> {
    const frame = encodeEnvelope({
      constructorId: method.constructorId,
      requestId: 1,
      payload: method.input.encode(input).finish(),
      headers: Object.keys(headers).length === 0 ? (NO_HEADERS as Record<string, string>) : headers,
    });
    const res = await this.#fetch(`${this.#base}${this.#options.rpcPath ?? "/rpc"}`, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: frame,
      signal,
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.headers.get("content-type")?.startsWith("application/json")) throw await errorOfJson(res.status, bytes);
    let env;
    try {
      env = decodeEnvelope(bytes);
    } catch {
      throw new RonyError(codeOfStatus(res.status), `unreadable reply (HTTP ${res.status})`);
    }
    return readReply(method, env) as O;
  }

  async #rest<I, O>(method: MethodDescriptor<I, O>, input: I, headers: Record<string, string>, signal: AbortSignal): Promise<O> {
    const binding = method.http!;
    const req = restRequest(method, binding, input);
    const res = await this.#fetch(`${this.#base}${req.path}`, {
      method: binding.method,
      headers: req.body === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: req.body,
      signal,
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw await errorOfJson(res.status, bytes);
    try {
      return method.output.fromJSON(JSON.parse(utf8.decode(bytes)));
    } catch {
      throw new RonyError(ErrorCode.INTERNAL, `unreadable ${method.name} reply`);
    }
  }
}

async function errorOfJson(status: number, bytes: Uint8Array): Promise<RonyError> {
  try {
    return rpcErrorFromJson(JSON.parse(utf8.decode(bytes)));
  } catch {
    return new RonyError(codeOfStatus(status), `HTTP ${status}`);
  }
}
