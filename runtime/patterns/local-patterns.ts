// The patterns this process serves itself: the typed rpcs of an edge server whose schema gave
// them a (rony.rpc).pattern, and JSON handlers registered by pattern. Both are validated when
// registered; two handlers for one pattern are refused.
import { EdgeContext, type Dispatcher, type Route, type Via } from "../edge/index.js";
import { ErrorCode, RonyError } from "../rpc/index.js";
import { parsePattern, type Pattern } from "./pattern.js";

export interface PatternContext {
  /** The registered pattern that matched (canonical). */
  readonly pattern: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly via: Via;
}

/** A handler for JSON messages: it gets the whole message (its "Pattern" included). */
export type JsonPatternHandler = (message: Record<string, unknown>, ctx: PatternContext) => Promise<unknown>;

type Local<Auth> = { readonly kind: "json"; readonly fn: JsonPatternHandler; readonly what: string } | { readonly kind: "rpc"; readonly route: Route<Auth>; readonly what: string };

export class LocalPatterns<Auth> {
  readonly #byPattern = new Map<string, Local<Auth>>();
  readonly #parsed = new Map<string, Pattern>();

  constructor(readonly dispatcher: Dispatcher<Auth> | undefined) {}

  /** Registers a JSON handler. Throws PatternError for a malformed pattern, Error for a taken one. */
  handle(pattern: string, fn: JsonPatternHandler): void {
    this.#add(parsePattern(pattern), { kind: "json", fn, what: `a JSON handler for "${pattern}"` });
  }

  /** Takes in the dispatcher's rpcs that carry a pattern (internal rpcs stay off the edge, so off patterns too). */
  adoptRpcs(): void {
    for (const route of this.dispatcher?.routes() ?? []) {
      const m = route.method;
      if (m.pattern === "" || m.internal) continue;
      const what = `${m.service}.${m.name}`;
      if ([...this.#byPattern.values()].some((l) => l.what === what)) continue;
      this.#add(parsePattern(m.pattern), { kind: "rpc", route, what });
    }
  }

  #add(pattern: Pattern, local: Local<Auth>): void {
    const taken = this.#byPattern.get(pattern.canonical);
    if (taken !== undefined) throw new Error(`pattern "${pattern.canonical}" is served twice here: by ${taken.what} and ${local.what}`);
    this.#byPattern.set(pattern.canonical, local);
    this.#parsed.set(pattern.canonical, pattern);
  }

  /** Canonical patterns served here. */
  patterns(): string[] {
    return [...this.#byPattern.keys()].sort();
  }

  parsed(): Iterable<Pattern> {
    return this.#parsed.values();
  }

  has(canonical: string): boolean {
    return this.#byPattern.has(canonical);
  }

  /** Runs the handler of exactly this (canonical) pattern. Rejects with RonyErrors only. */
  async serve(canonical: string, message: Record<string, unknown>, headers: Readonly<Record<string, string>>, via: Via): Promise<unknown> {
    const local = this.#byPattern.get(canonical);
    if (local === undefined) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `pattern "${canonical}" is not served here`, STALE);
    if (local.kind === "json") {
      try {
        return await local.fn(message, { pattern: canonical, headers, via });
      } catch (e) {
        if (e instanceof RonyError) throw e;
        console.error(`rony-ts: ${local.what} threw`, e);
        throw new RonyError(ErrorCode.INTERNAL, `${local.what} failed`);
      }
    }
    const { route } = local;
    const { Pattern: _pattern, ...fields } = message;
    let input: unknown;
    try {
      input = route.method.input.fromJSON(fields);
    } catch (e) {
      throw new RonyError(ErrorCode.INVALID_ARGUMENT, `not a valid ${route.method.name} input${e instanceof Error ? `: ${e.message}` : ""}`);
    }
    const ctx = new EdgeContext<Auth>(route.method, headers, 0, via, undefined);
    await this.dispatcher!.run(route, input, ctx);
    if (ctx.error !== undefined) throw ctx.error;
    return route.method.output.toJSON(ctx.output);
  }
}

/** `items` of the error an instance answers when asked for a pattern it no longer serves (a stale view). */
export const STALE = "stale-pattern";
