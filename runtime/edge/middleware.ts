import type { EdgeContext } from "./context.js";

/**
 * Runs around handlers. Order: global `before`s, the method's `before`s, the handler, the
 * method's `after`s, global `after`s. A `before` answers without the handler by calling
 * `ctx.stop(output)`, or refuses by throwing a RonyError; `after`s still run and see (and may
 * replace) `ctx.output` / `ctx.error`. In an `after`, `ctx.stop()` skips the remaining `after`s.
 */
export interface Middleware<Auth = unknown> {
  readonly name?: string;
  before?(ctx: EdgeContext<Auth>): void | Promise<void>;
  after?(ctx: EdgeContext<Auth>): void | Promise<void>;
}
