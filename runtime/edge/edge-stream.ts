// One streaming call on one WebSocket connection (the protocol: schemas/rony/envelope.proto,
// docs/streams.md). Outputs are pulled from the handler only while the client has granted
// credit and the socket is under its high-water mark, so a slow reader holds at most a window of
// messages here and pauses its own stream only. Inputs land in a StreamQueue the handler reads;
// the server grants the client more as the handler takes them.
import {
  ErrorCode,
  RonyError,
  STREAM_CONTROL_ID,
  StreamCredit,
  StreamQueue,
  StreamSignal,
  controlFrame,
  decodeControl,
  grantDue,
} from "../rpc/index.js";
import type { EdgeContext } from "./context.js";
import type { Dispatcher, StreamRoute } from "./dispatcher.js";
import type { ReplyEncoder } from "./reply-encoder.js";

/** Where a stream's frames go: a WebSocket connection, or one streamed HTTP response. */
export interface StreamSink {
  send(frame: Uint8Array): void;
  /** Something to wait on while the peer's buffer is full; undefined when it has room. */
  backpressure(): Promise<void> | undefined;
  /** The stream is over; called once, after its last frame was sent. */
  closed(requestId: number): void;
}

/** What a stream needs from the frame handler that opened it. */
export interface StreamHost<Auth> {
  readonly dispatcher: Dispatcher<Auth>;
  readonly replies: ReplyEncoder;
  errorFrame(requestId: number, error: RonyError): Uint8Array;
}

export class EdgeStream<Auth = unknown> {
  readonly #abort = new AbortController();
  readonly #credit = new StreamCredit();
  /** The client's inputs (client and bidi streams). */
  readonly inputs: StreamQueue<unknown> | undefined;
  /** Inputs the client may still send before the server grants more. */
  #inputCredit: number;
  #taken = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #deadlineSet = false;
  #done = false;
  /** The handler's outputs, once it started: returned at once when the stream is stopped. */
  #running: AsyncIterator<unknown> | undefined;

  constructor(
    readonly requestId: number,
    readonly route: StreamRoute<Auth>,
    readonly ctx: EdgeContext<Auth>,
    readonly sink: StreamSink,
    readonly host: StreamHost<Auth>,
    readonly window: number,
  ) {
    this.#inputCredit = window;
    const many = route.method.streaming !== "server";
    this.inputs = many ? new StreamQueue<unknown>(() => this.#inputTaken()) : undefined;
    (ctx as { signal?: AbortSignal }).signal = this.#abort.signal;
  }

  get done(): boolean {
    return this.#done;
  }

  /** Runs the middleware's `before` hooks, then the handler; outputs go out under flow control. */
  async run(input: unknown): Promise<void> {
    const { dispatcher } = this.host;
    const ctx = this.ctx;
    try {
      for (const hook of dispatcher.streamHooks(this.route)) {
        await hook(ctx);
        if (ctx.stopped) throw ctx.error ?? new RonyError(ErrorCode.CANCELLED, "stopped by middleware");
      }
      if (this.#done) return;
      if (this.inputs !== undefined) this.sink.send(controlFrame(this.requestId, StreamSignal.CREDIT, this.window));
      await this.#pump(this.#outputs(input));
    } catch (e) {
      this.#fail(dispatcher.typed(e, ctx));
    }
  }

  #outputs(input: unknown): AsyncIterable<unknown> {
    const h = this.route.handlers;
    const ctx = this.ctx;
    if ("server" in h) return h.server(input, ctx);
    if ("bidi" in h) return h.bidi(this.inputs!, ctx);
    const one = h.client(this.inputs!, ctx);
    return (async function* () {
      yield await one;
    })();
  }

  async #pump(outputs: AsyncIterable<unknown>): Promise<void> {
    const it = outputs[Symbol.asyncIterator]();
    this.#running = it;
    const { method } = this.route;
    try {
      for (;;) {
        await this.#credit.take();
        const full = this.sink.backpressure();
        if (full !== undefined) await full;
        const r = await it.next();
        if (this.#done) return;
        if (r.done === true) {
          this.#finish(controlFrame(this.requestId, StreamSignal.END));
          return;
        }
        let frame: Uint8Array;
        try {
          frame = this.host.replies.encode(method.outputConstructorId, this.requestId, method.output, r.value);
        } catch (e) {
          this.host.dispatcher.onError(e, this.ctx as EdgeContext<never>);
          throw new RonyError(ErrorCode.INTERNAL, `${method.name} yielded an output that does not encode`);
        }
        this.sink.send(frame);
      }
    } catch (e) {
      if (!this.#done) throw e;
    } finally {
      // Cancelled, failed or over: let the handler's generator run its finally blocks.
      if (this.#done) void Promise.resolve(it.return?.()).catch(() => {});
    }
  }

  /** A frame the client sent on this stream (an input or a control frame). */
  receive(constructorId: number, payload: Uint8Array): void {
    if (this.#done) return;
    if (constructorId === STREAM_CONTROL_ID) {
      let control;
      try {
        control = decodeControl(payload);
      } catch (e) {
        this.#fail(e as RonyError);
        return;
      }
      this.#control(control.signal, control.credit, control.timeoutMs);
      return;
    }
    const { method } = this.route;
    if (this.inputs === undefined || constructorId !== method.inputConstructorId) {
      this.#fail(new RonyError(ErrorCode.INVALID_ARGUMENT, `unexpected frame 0x${constructorId.toString(16)} on the ${method.name} stream`));
      return;
    }
    if (this.#inputCredit <= 0) {
      this.#fail(new RonyError(ErrorCode.RESOURCE_EXHAUSTED, `the client sent ${method.name} inputs past its credit`));
      return;
    }
    this.#inputCredit--;
    let input: unknown;
    try {
      input = method.input.decode(payload);
    } catch {
      this.#fail(new RonyError(ErrorCode.INVALID_ARGUMENT, `payload is not a valid ${method.name} input`));
      return;
    }
    this.inputs.push(input);
  }

  #control(signal: StreamSignal, credit: number, timeoutMs: number): void {
    switch (signal) {
      case StreamSignal.CREDIT:
        this.grant(credit, timeoutMs);
        return;
      case StreamSignal.END:
        this.inputs?.end();
        return;
      case StreamSignal.CANCEL:
        this.stop(new RonyError(ErrorCode.CANCELLED, "cancelled by the client"));
        return;
      default:
        this.#fail(new RonyError(ErrorCode.INVALID_ARGUMENT, `unknown stream signal ${signal}`));
    }
  }

  /** More output credit; the first grant also starts the deadline (the caller's, else the rpc's). */
  grant(credit: number, timeoutMs = 0): void {
    if (!this.#deadlineSet) {
      this.#deadlineSet = true;
      const ms = timeoutMs || this.route.method.timeoutMs;
      if (ms > 0) this.#timer = setTimeout(() => this.#fail(new RonyError(ErrorCode.DEADLINE_EXCEEDED, `${this.route.method.name} ran past its ${ms} ms deadline`)), ms);
    }
    this.#credit.grant(credit);
  }

  #inputTaken(): void {
    if (this.#done || !grantDue(++this.#taken, this.window)) return;
    this.#inputCredit += this.#taken;
    this.sink.send(controlFrame(this.requestId, StreamSignal.CREDIT, this.#taken));
    this.#taken = 0;
  }

  /** Ends the stream with an error the client is told about. */
  #fail(error: RonyError): void {
    if (this.#done) return;
    this.#finish(this.host.errorFrame(this.requestId, error), error);
  }

  /** Ends the stream without telling the client (it cancelled, or it is gone). */
  stop(reason: RonyError): void {
    if (this.#done) return;
    this.#finish(undefined, reason);
  }

  /** Ends the stream with UNAVAILABLE (the server is shutting down). */
  shutDown(): void {
    this.#fail(new RonyError(ErrorCode.UNAVAILABLE, "the server is shutting down"));
  }

  #finish(last: Uint8Array | undefined, error?: RonyError): void {
    this.#done = true;
    clearTimeout(this.#timer);
    if (last !== undefined) this.sink.send(last);
    this.sink.closed(this.requestId);
    const reason = error ?? new RonyError(ErrorCode.CANCELLED, "the stream is over");
    this.#credit.fail(reason);
    this.inputs?.fail(reason);
    if (error !== undefined) {
      this.#abort.abort(error);
      // An iterator waiting for its next output (a subscription) stops now; a generator's return
      // waits until its pending step is over (handlers of endless streams watch ctx.signal).
      if (this.#running !== undefined) void Promise.resolve(this.#running.return?.()).catch(() => {});
    }
  }
}
