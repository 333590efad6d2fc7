import type { AnyMethod, CallContext, RonyError } from "../rpc/index.js";
import type { EdgeConnection } from "./connection.js";

/** How a call arrived. Only `tunnel` (cluster peers) and `local` may call internal rpcs. */
export type Via = "ws" | "http" | "tunnel" | "local";

/** The context every handler and middleware receives. One object per call. */
export class EdgeContext<Auth = unknown> implements CallContext {
  /** Set by middleware (e.g. from an authorization header); the edge never sets it. */
  auth: Auth | undefined = undefined;
  /** The handler's result, or what a middleware answered with. */
  output: unknown = undefined;
  /** The typed error the caller will get, if any. */
  error: RonyError | undefined = undefined;
  /**
   * When the call started, in `performance.now()` milliseconds, for middleware that times calls
   * (the metrics middleware sets it in its `before`); 0 until one does.
   */
  startedAt = 0;
  #stopped = false;
  /** Streaming calls only (set by the stream): aborts on cancel, deadline or a lost connection. */
  declare readonly signal?: AbortSignal;

  constructor(
    readonly method: AnyMethod,
    readonly headers: Readonly<Record<string, string>>,
    readonly requestId: number,
    readonly via: Via,
    /** The WebSocket connection the call came on; undefined over HTTP and locally. */
    readonly connection: EdgeConnection<Auth> | undefined,
  ) {}

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Ends the chain here. In a `before`, `output` becomes the reply and the handler is skipped. */
  stop(output?: unknown): void {
    this.#stopped = true;
    if (output !== undefined) this.output = output;
  }

  /** @internal the dispatcher re-arms the chain between the before and after phases. */
  resume(): void {
    this.#stopped = false;
  }
}
