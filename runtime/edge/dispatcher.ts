// Routes calls to handlers by constructor id and runs the middleware chain around them.
import { ErrorCode, RonyError, type AnyMethod, type Handler, type HandlerRegistry, type MethodDescriptor, type StreamHandlers } from "../rpc/index.js";
import { EdgeContext } from "./context.js";
import type { Middleware } from "./middleware.js";
import { readsFromReader } from "./reused-wire.js";

type Hook<Auth> = (ctx: EdgeContext<Auth>) => void | Promise<void>;

/** One registered rpc, with its middleware chain flattened (rebuilt when middleware changes). */
export interface Route<Auth = unknown> {
  readonly method: AnyMethod;
  readonly handler: Handler<unknown, unknown, EdgeContext<Auth>>;
  /** The input codec's decode takes a reader (reused-wire.ts), asked once here rather than per call. */
  readonly readsFromReader: boolean;
  readonly own: Middleware<Auth>[];
  before: Hook<Auth>[];
  after: Hook<Auth>[];
  builtFor: number;
}

/**
 * One registered streaming rpc. Kept apart from the unary routes so a unary frame's lookup is
 * unchanged; a frame whose constructor is no unary route is checked against these next.
 */
export interface StreamRoute<Auth = unknown> {
  readonly method: AnyMethod;
  readonly handlers: StreamHandlers<unknown, unknown, EdgeContext<Auth>>;
  /** The rpc's own middleware; its `before` hooks run when the stream opens. */
  readonly own: Middleware<Auth>[];
}

/** Told about every exception a handler or middleware threw that was not a RonyError. */
export type ErrorReporter = (error: unknown, ctx: EdgeContext<never>) => void;

export class Dispatcher<Auth = unknown> implements HandlerRegistry<EdgeContext<Auth>> {
  readonly #byId = new Map<number, Route<Auth>>();
  readonly #byName = new Map<string, Route<Auth>>();
  readonly #streams = new Map<number, StreamRoute<Auth>>();
  readonly #global: Middleware<Auth>[] = [];
  #version = 0;
  onError: ErrorReporter = defaultReporter;

  add<I, O>(method: MethodDescriptor<I, O>, handler: Handler<I, O, EdgeContext<Auth>>, middleware: readonly Middleware<Auth>[] = []): void {
    this.#claim(method, false);
    const route: Route<Auth> = {
      method,
      handler: handler as Handler<unknown, unknown, EdgeContext<Auth>>,
      readsFromReader: readsFromReader(method.input),
      own: [...middleware],
      before: [],
      after: [],
      builtFor: -1,
    };
    this.#byId.set(method.constructorId, route);
    this.#byName.set(`${method.service}.${method.name}`, route);
  }

  addStream<I, O>(method: MethodDescriptor<I, O>, handlers: StreamHandlers<I, O, EdgeContext<Auth>>, middleware: readonly Middleware<Auth>[] = []): void {
    this.#claim(method, true);
    this.#streams.set(method.constructorId, { method, handlers: handlers as StreamHandlers<unknown, unknown, EdgeContext<Auth>>, own: [...middleware] });
  }

  #claim(method: AnyMethod, streams: boolean): void {
    if (this.#byId.has(method.constructorId) || this.#streams.has(method.constructorId)) {
      throw new Error(`rpc ${method.service}.${method.name} is registered twice`);
    }
    if ((method.streaming !== undefined) !== streams) {
      throw new Error(`rpc ${method.service}.${method.name} ${streams ? "does not stream: register it with add()" : "streams: register it with addStream()"}`);
    }
  }

  streamRoute(constructorId: number): StreamRoute<Auth> | undefined {
    return this.#streams.get(constructorId);
  }

  /** The `before` hooks a stream runs when it opens: global middleware, then the rpc's own. */
  streamHooks(route: StreamRoute<Auth>): Hook<Auth>[] {
    return [...this.#global, ...route.own].flatMap((m) => (m.before ? [m.before.bind(m)] : []));
  }

  /** Global middleware, for every rpc. */
  use(middleware: Middleware<Auth>): this {
    this.#global.push(middleware);
    this.#version++;
    return this;
  }

  /** Middleware for one rpc, after the global ones. */
  useFor(method: AnyMethod, middleware: Middleware<Auth>): this {
    const route = this.#byId.get(method.constructorId);
    if (route === undefined) throw new Error(`rpc ${method.service}.${method.name} is not registered`);
    route.own.push(middleware);
    this.#version++;
    return this;
  }

  route(constructorId: number): Route<Auth> | undefined {
    return this.#byId.get(constructorId);
  }

  /** By fully-qualified rpc name, "examples.echo.Echo.Say" (JSON frames use it). */
  routeByName(fullName: string): Route<Auth> | undefined {
    return this.#byName.get(fullName);
  }

  routes(): IterableIterator<Route<Auth>> {
    return this.#byId.values();
  }

  /** True when no middleware applies to the route: callers may invoke the handler directly. */
  isPlain(route: Route<Auth>): boolean {
    if (route.builtFor !== this.#version) this.#build(route);
    return route.before.length === 0 && route.after.length === 0;
  }

  /**
   * Runs one call, then `done` once ctx.output / ctx.error hold its outcome. Not an async
   * function: a handler's promise is followed with one then(), and a handler that returns a
   * plain value or throws synchronously finishes at once.
   */
  start(route: Route<Auth>, input: unknown, ctx: EdgeContext<Auth>, done: () => void): void {
    const pending = this.begin(route, input, ctx);
    if (pending === undefined) done();
    else void pending.then(done);
  }

  /**
   * Starts one call. Undefined when it finished at once (a handler that returned a plain value
   * or threw, with no middleware): ctx.output / ctx.error hold the outcome, and the caller answers
   * with no callback made for it. Otherwise a promise that settles (never rejects) once they do.
   */
  begin(route: Route<Auth>, input: unknown, ctx: EdgeContext<Auth>): PromiseLike<void> | undefined {
    if (!this.isPlain(route)) return this.#chain(route, input, ctx, 0);
    let out: unknown;
    try {
      out = route.handler(input, ctx);
    } catch (e) {
      ctx.error = this.typed(e, ctx);
      return undefined;
    }
    if (typeof (out as PromiseLike<unknown> | null)?.then !== "function") {
      ctx.output = out;
      return undefined;
    }
    return (out as PromiseLike<unknown>).then(
      (output) => {
        ctx.output = output;
      },
      (e: unknown) => {
        ctx.error = this.typed(e, ctx);
      },
    );
  }

  /** Runs the chain for one call; the outcome lands in ctx.output / ctx.error. Never throws. */
  async run(route: Route<Auth>, input: unknown, ctx: EdgeContext<Auth>): Promise<void> {
    await this.begin(route, input, ctx);
  }

  /**
   * The middleware chain and the handler, for a route `isPlain` said has middleware. Steps run
   * one after the other: `before` hooks (0 … b-1), the handler (b), `after` hooks (b+1 …). Each
   * step that answers with a plain value is followed at once; only a step that returns a promise
   * makes the rest wait for it, so a chain of synchronous hooks (metrics, an auth check) costs no
   * promise. Undefined when the chain finished at once; otherwise a promise that never rejects.
   */
  #chain(route: Route<Auth>, input: unknown, ctx: EdgeContext<Auth>, from: number): PromiseLike<void> | undefined {
    const end = route.before.length + 1 + route.after.length;
    for (let step = from; step < end; ) {
      let out: unknown;
      try {
        out = this.#call(route, input, ctx, step);
      } catch (e) {
        step = this.#next(route, ctx, step, e, true);
        continue;
      }
      if (typeof (out as PromiseLike<unknown> | null)?.then === "function") {
        const at = step;
        return Promise.resolve(out).then(
          (value) => this.#chain(route, input, ctx, this.#next(route, ctx, at, value, false)),
          (e: unknown) => this.#chain(route, input, ctx, this.#next(route, ctx, at, e, true)),
        );
      }
      step = this.#next(route, ctx, step, out, false);
    }
    return undefined;
  }

  #call(route: Route<Auth>, input: unknown, ctx: EdgeContext<Auth>, step: number): unknown {
    const b = route.before.length;
    if (step < b) return route.before[step]!(ctx);
    if (step === b) return route.handler(input, ctx);
    return route.after[step - b - 1]!(ctx);
  }

  /** Records what step `step` gave (a value, or what it threw) and says which step runs next. */
  #next(route: Route<Auth>, ctx: EdgeContext<Auth>, step: number, result: unknown, threw: boolean): number {
    const b = route.before.length;
    const afters = b + 1;
    if (step < b) {
      // A before that throws or stops skips the handler; the afters still run.
      if (threw) ctx.error = this.typed(result, ctx);
      else if (!ctx.stopped) return step + 1;
      else if (ctx.output === undefined) ctx.error = new RonyError(ErrorCode.CANCELLED, "stopped by middleware");
      ctx.resume();
      return afters;
    }
    if (step === b) {
      if (threw) ctx.error = this.typed(result, ctx);
      else ctx.output = result;
      ctx.resume();
      return afters;
    }
    if (threw) ctx.error = this.typed(result, ctx);
    // stop() in an after skips the remaining afters.
    return ctx.stopped ? b + 1 + route.after.length : step + 1;
  }

  /** A thrown value as the caller will see it; foreign exceptions go to onError and become INTERNAL. */
  typed(thrown: unknown, ctx: EdgeContext<Auth>): RonyError {
    if (thrown instanceof RonyError) return thrown;
    // The caller learns only that it failed; the details go to the operator.
    this.onError(thrown, ctx as EdgeContext<never>);
    return new RonyError(ErrorCode.INTERNAL, `${ctx.method.service}.${ctx.method.name} failed`);
  }

  #build(route: Route<Auth>): void {
    const all = [...this.#global, ...route.own];
    route.before = all.flatMap((m) => (m.before ? [m.before.bind(m)] : []));
    route.after = all.reverse().flatMap((m) => (m.after ? [m.after.bind(m)] : []));
    route.builtFor = this.#version;
  }
}

function defaultReporter(error: unknown, ctx: EdgeContext<never>): void {
  console.error(`rony-ts: ${ctx.method.service}.${ctx.method.name} threw`, error);
}
