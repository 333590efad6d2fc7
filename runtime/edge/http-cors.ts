// CORS (the Fetch standard's protocol): which browser pages on other origins may call the HTTP
// gateway, and the answer to their preflight requests. Off unless EdgeServerOptions.cors is set:
// without the headers a browser keeps a cross-origin page from reading any reply.
import type { HttpRequest, HttpResponse } from "uWebSockets.js";

export interface CorsOptions {
  /** Origins whose pages may call ("https://app.example.com", exactly as browsers send it), or "*" for any. */
  origins: readonly string[] | "*";
  /** Let pages send cookies and HTTP auth (access-control-allow-credentials); the origin is then echoed, never "*". */
  credentials?: boolean;
  /** How long a browser may cache a preflight answer, in seconds; default 600. */
  maxAgeSeconds?: number;
  /** Response headers a page's script may read besides the CORS-safelisted ones. */
  exposeHeaders?: readonly string[];
}

const VERBS = "GET, POST, PUT, PATCH, DELETE";

export class Cors {
  readonly #origins: ReadonlySet<string> | "*";
  readonly #fixed: Readonly<Record<string, string>>;
  readonly #maxAge: string;

  constructor(readonly options: CorsOptions) {
    this.#origins = options.origins === "*" ? "*" : new Set(options.origins);
    const fixed: Record<string, string> = {};
    if (options.credentials === true) fixed["access-control-allow-credentials"] = "true";
    if (options.exposeHeaders !== undefined && options.exposeHeaders.length > 0) fixed["access-control-expose-headers"] = options.exposeHeaders.join(", ");
    this.#fixed = fixed;
    this.#maxAge = String(options.maxAgeSeconds ?? 600);
  }

  /** The CORS headers of a reply to a request with this Origin header ("" when none), or undefined. */
  headersFor(origin: string): Record<string, string> | undefined {
    if (origin === "" || (this.#origins !== "*" && !this.#origins.has(origin))) return undefined;
    const anyOrigin = this.#origins === "*" && this.options.credentials !== true;
    // Replies differ by Origin unless they allow any: caches must key on it.
    const headers: Record<string, string> = anyOrigin ? { "access-control-allow-origin": "*" } : { "access-control-allow-origin": origin, vary: "origin" };
    return Object.assign(headers, this.#fixed);
  }

  /**
   * Answers a preflight (OPTIONS with Access-Control-Request-Method) from an allowed origin with
   * 204 and returns true. Any other request is left to the caller: the gateway asks this first in
   * its 405 and 404 handlers, which are the ones uWS gives every OPTIONS request (no route serves
   * OPTIONS), so a request that is not an allowed preflight gets 405 on a known path, else 404.
   */
  preflight(res: HttpResponse, req: HttpRequest): boolean {
    if (req.getMethod() !== "options") return false;
    const headers = this.headersFor(req.getHeader("origin"));
    if (headers === undefined || req.getHeader("access-control-request-method") === "") return false;
    headers["access-control-allow-methods"] = VERBS;
    // The page asks for the headers it will send; handlers read them as ctx.headers.
    const asked = req.getHeader("access-control-request-headers");
    if (asked !== "") headers["access-control-allow-headers"] = asked;
    headers["access-control-max-age"] = this.#maxAge;
    res.cork(() => {
      res.writeStatus("204 No Content");
      for (const name in headers) res.writeHeader(name, headers[name]!);
      res.endWithoutBody();
    });
    return true;
  }
}
