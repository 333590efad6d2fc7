// The client end of one streaming call over the WebSocket transport (protocol: schemas/rony/
// envelope.proto, docs/streams.md). It opens when first iterated, sends inputs only while the
// server has granted credit, and grants the server more as the caller reads: a caller that
// stops reading stops its stream, and only that one.
import {
  ErrorCode,
  NO_HEADERS,
  REDIRECT_ID,
  RPC_ERROR_ID,
  RonyError,
  STREAM_CONTROL_ID,
  StreamCredit,
  StreamQueue,
  StreamSignal,
  controlFrame,
  decodeControl,
  decodeRpcError,
  encodeEnvelope,
  grantDue,
  type CallOptions,
  type MethodDescriptor,
  type StreamInputs,
} from "../rpc/index.js";

/** What a stream needs from its transport. */
export interface StreamLink {
  /** Sends at once if the socket is open; false when it is not (the stream fails). */
  send(frame: Uint8Array): boolean;
  /** Resolves once connected, connecting if idle; rejects when the transport closed or gave up. */
  connected(): Promise<void>;
  /** Takes a request id and routes that id's frames to `stream` until forget(). */
  register(stream: ClientStream<never, never>): number;
  forget(requestId: number): void;
}

const EMPTY = new Uint8Array(0);

export class ClientStream<I, O> implements AsyncIterableIterator<O> {
  readonly #queue: StreamQueue<O>;
  readonly #credit = new StreamCredit();
  #requestId = 0;
  #taken = 0;
  #started = false;
  #done = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #unlisten: (() => void) | undefined;

  constructor(
    readonly link: StreamLink,
    readonly method: MethodDescriptor<I, O>,
    readonly inputs: StreamInputs<I>,
    readonly options: CallOptions,
    readonly headers: Record<string, string> | undefined,
    readonly window: number,
  ) {
    this.#queue = new StreamQueue<O>(
      () => this.#outputTaken(),
      () => this.#cancel(),
    );
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<O>> {
    if (!this.#started) this.#start();
    return this.#queue.next();
  }

  /** The caller stopped reading (break, return, a throw in the loop): cancel the call. */
  return(): Promise<IteratorResult<O>> {
    return this.#queue.return();
  }

  #start(): void {
    this.#started = true;
    const { method, options } = this;
    if (options.signal?.aborted) {
      this.#fail(new RonyError(ErrorCode.CANCELLED, "aborted"));
      return;
    }
    this.#requestId = this.link.register(this as unknown as ClientStream<never, never>);
    const timeoutMs = options.timeoutMs ?? method.timeoutMs;
    if (timeoutMs > 0) {
      this.#timer = setTimeout(() => {
        this.#sendControl(StreamSignal.CANCEL);
        this.#fail(new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${method.name} ran past its ${timeoutMs} ms deadline`));
      }, timeoutMs);
    }
    const signal = options.signal;
    if (signal !== undefined) {
      const onAbort = () => {
        this.#sendControl(StreamSignal.CANCEL);
        this.#fail(new RonyError(ErrorCode.CANCELLED, "aborted"));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.#unlisten = () => signal.removeEventListener("abort", onAbort);
    }
    void this.#open(timeoutMs);
  }

  async #open(timeoutMs: number): Promise<void> {
    try {
      await this.link.connected();
    } catch (e) {
      this.#fail(e instanceof RonyError ? e : new RonyError(ErrorCode.UNAVAILABLE, String(e)));
      return;
    }
    if (this.#done) return;
    const { method, inputs } = this;
    let payload: Uint8Array = EMPTY;
    if ("one" in inputs) payload = method.input.encode(inputs.one).finish();
    const headers = (this.headers ?? NO_HEADERS) as Record<string, string>;
    this.#send(encodeEnvelope({ constructorId: method.constructorId, requestId: this.#requestId, payload, headers }));
    this.#send(controlFrame(this.#requestId, StreamSignal.CREDIT, this.window, timeoutMs));
    if ("many" in inputs) void this.#sendInputs(inputs.many);
  }

  async #sendInputs(inputs: AsyncIterable<I> | Iterable<I>): Promise<void> {
    const { method } = this;
    const constructorId = method.inputConstructorId ?? 0;
    try {
      for await (const input of inputs) {
        await this.#credit.take();
        if (this.#done) return;
        this.#send(encodeEnvelope({ constructorId, requestId: this.#requestId, payload: method.input.encode(input).finish(), headers: NO_HEADERS as Record<string, string> }));
      }
      this.#sendControl(StreamSignal.END);
    } catch (e) {
      if (this.#done) return;
      // The caller's inputs threw: the call cannot go on; the server is told to stop.
      this.#sendControl(StreamSignal.CANCEL);
      this.#fail(e instanceof RonyError ? e : new RonyError(ErrorCode.CANCELLED, `the ${method.name} inputs failed: ${String(e)}`));
    }
  }

  /** A frame the server sent on this stream. */
  receive(constructorId: number, payload: Uint8Array): void {
    if (this.#done) return;
    const { method } = this;
    if (constructorId === method.outputConstructorId) {
      let output: O;
      try {
        output = method.output.decode(payload);
      } catch {
        this.#sendControl(StreamSignal.CANCEL);
        this.#fail(new RonyError(ErrorCode.INTERNAL, `unreadable ${method.name} output`));
        return;
      }
      this.#queue.push(output);
      return;
    }
    if (constructorId === STREAM_CONTROL_ID) {
      let control;
      try {
        control = decodeControl(payload);
      } catch (e) {
        this.#fail(e as RonyError);
        return;
      }
      if (control.signal === StreamSignal.CREDIT) this.#credit.grant(control.credit);
      else if (control.signal === StreamSignal.END) this.#end();
      return;
    }
    if (constructorId === RPC_ERROR_ID) this.#fail(decodeRpcError(payload));
    else if (constructorId === REDIRECT_ID) this.#fail(new RonyError(ErrorCode.UNAVAILABLE, "redirected: this client does not follow cluster redirects"));
    else this.#fail(new RonyError(ErrorCode.INTERNAL, `unexpected frame 0x${constructorId.toString(16)} on the ${method.name} stream`));
  }

  /** The connection dropped or the transport closed. */
  lost(error: RonyError): void {
    this.#fail(error);
  }

  #outputTaken(): void {
    if (this.#done || !grantDue(++this.#taken, this.window)) return;
    this.#sendControl(StreamSignal.CREDIT, this.#taken);
    this.#taken = 0;
  }

  #send(frame: Uint8Array): void {
    if (!this.link.send(frame)) this.#fail(new RonyError(ErrorCode.UNAVAILABLE, `connection lost during ${this.method.name}`));
  }

  #sendControl(signal: StreamSignal, credit = 0): void {
    if (this.#requestId !== 0 && !this.#done) this.link.send(controlFrame(this.#requestId, signal, credit));
  }

  #cancel(): void {
    this.#sendControl(StreamSignal.CANCEL);
    this.#settle(new RonyError(ErrorCode.CANCELLED, "the caller stopped reading"));
  }

  #end(): void {
    if (this.#done) return;
    this.#settle(undefined);
    this.#queue.end();
  }

  #fail(error: RonyError): void {
    if (this.#done) return;
    this.#settle(error);
    this.#queue.fail(error);
  }

  #settle(error: RonyError | undefined): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.#unlisten?.();
    if (this.#requestId !== 0) this.link.forget(this.#requestId);
    this.#credit.fail(error ?? new RonyError(ErrorCode.CANCELLED, "the stream is over"));
  }
}
