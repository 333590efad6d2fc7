// A node's part in go-nano routing. It serves its own patterns (the edge server's rpcs that
// carry one, and JSON handlers), announces them in the registry with its edge address, and
// routes every call — from its edge (`POST /`, WebSocket text frames) or from code (`act`) — to
// the most specific registered pattern, sharing the load round-robin across the instances that
// serve it and moving on from an instance that cannot be reached. A node with nothing of its own
// is a gateway: it only routes.
import type { Dispatcher, PatternCalls, Via } from "../edge/index.js";
import type { Registry } from "../registry/index.js";
import { patternTransport } from "../client/pattern-transport.js";
import { ErrorCode, RonyError, type CallOptions, type MethodDescriptor, type Transport } from "../rpc/index.js";
import { InstanceUnreachable, PATTERN_HEADER, forward, forwardedHeaders } from "./forward.js";
import { LocalPatterns, STALE, type JsonPatternHandler } from "./local-patterns.js";
import { parsePattern } from "./pattern.js";
import { RouteTable, type Instance, type RouteEntry } from "./route-table.js";

/** The slice of an EdgeServer a pattern node uses. */
export interface PatternServer<Auth> {
  readonly dispatcher: Dispatcher<Auth>;
  servePatterns(calls: PatternCalls): void;
}

export interface PatternNodeOptions<Auth = unknown> {
  /** This node's id in the registry. */
  id: string;
  registry: Registry;
  /** The edge server whose pattern-carrying rpcs this node serves, and on which it answers pattern calls. */
  server?: PatternServer<Auth>;
  /** Deadline of a forwarded call when the caller sets none; default 10 s. */
  timeoutMs?: number;
  /** How long an instance that could not be reached is passed over; default 2 s (or until the registry drops it). */
  suspectMs?: number;
}

export interface ActOptions {
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class PatternNode<Auth = unknown> implements PatternCalls, Transport {
  readonly id: string;
  readonly routes = new RouteTable();
  readonly #local: LocalPatterns<Auth>;
  readonly #registry: Registry;
  readonly #timeoutMs: number;
  readonly #suspectMs: number;
  readonly #suspects = new Map<string, number>();
  #unwatch: (() => void) | undefined;
  #announced = false;
  readonly #typed = patternTransport(this);

  constructor(options: PatternNodeOptions<Auth>) {
    this.id = options.id;
    this.#registry = options.registry;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#suspectMs = options.suspectMs ?? 2_000;
    this.#local = new LocalPatterns(options.server?.dispatcher);
    options.server?.servePatterns(this);
  }

  /** Serves JSON messages matching `pattern` here. Throws PatternError for a malformed pattern, Error for one served twice. */
  handle(pattern: string, fn: JsonPatternHandler): this {
    this.#local.handle(pattern, fn);
    return this;
  }

  /** The canonical patterns this node serves. */
  get patterns(): string[] {
    return this.#local.patterns();
  }

  /**
   * Joins: validates the server's pattern rpcs, loads the registry's view and follows its changes,
   * then announces this node's patterns at `edgeAddress` (host:port others reach its edge at).
   * Without an edgeAddress (or with nothing to serve) it only routes: a gateway.
   */
  async start(edgeAddress?: string): Promise<void> {
    this.#local.adoptRpcs();
    this.#unwatch = this.#registry.watch((change) => {
      this.routes.apply(change);
      // A node that left, or came back (perhaps restarted at the same address), starts with a clean slate.
      if (change.before !== undefined) this.#suspects.delete(change.before.edgeAddress);
      if (change.after !== undefined) this.#suspects.delete(change.after.edgeAddress);
    });
    await this.#registry.start();
    this.routes.load(this.#registry.nodes().values());
    const patterns = this.#local.patterns();
    if (edgeAddress === undefined || patterns.length === 0) return;
    await this.#registry.announce({ id: this.id, replicaSet: "", edgeAddress, tunnelAddress: "", role: "standalone", leaderTerm: 0, patterns });
    this.#announced = true;
  }

  /** Withdraws this node's patterns and stops following the registry (the registry itself stays open). */
  async stop(): Promise<void> {
    this.#unwatch?.();
    if (this.#announced) await this.#registry.withdraw(this.id).catch(() => undefined);
    this.#announced = false;
  }

  /**
   * A go-nano call from code: `act("role:math,cmd:positive", { Value: 1 })`. Resolves with the
   * handler's JSON output; rejects with RonyError: INVALID_ARGUMENT (malformed pattern), NOT_FOUND
   * (no registered pattern matches), UNAVAILABLE (no instance could be reached), or the handler's.
   */
  act(pattern: string, payload: Record<string, unknown> = {}, options: ActOptions = {}): Promise<unknown> {
    return this.#route({ ...payload, Pattern: pattern }, options.headers ?? {}, "local", options.timeoutMs);
  }

  /** Typed: calls an rpc by its schema pattern, so a generated client runs over pattern routing (`new EchoClient(node)`). */
  call<I, O>(method: MethodDescriptor<I, O>, input: I, options?: CallOptions): Promise<O> {
    return this.#typed.call(method, input, options);
  }

  /** PatternCalls: what the edge hands over (`POST /`, WebSocket text frames). */
  serve(message: Record<string, unknown>, headers: Readonly<Record<string, string>>, via: Via): Promise<unknown> {
    const chosen = headers[PATTERN_HEADER];
    if (chosen !== undefined) return this.#serveChosen(chosen, message, headers, via);
    return this.#route(message, forwardedHeaders(headers), via, undefined);
  }

  /** Another node picked one of our patterns: run exactly it, if the message carries it. */
  async #serveChosen(chosen: string, message: Record<string, unknown>, headers: Readonly<Record<string, string>>, via: Via): Promise<unknown> {
    const pattern = parsePattern(chosen);
    const carried = new Set(parsePattern(patternOf(message)).pairs.map((p) => `${p.key}:${p.value}`));
    if (!pattern.pairs.every((p) => carried.has(`${p.key}:${p.value}`))) {
      throw new RonyError(ErrorCode.INVALID_ARGUMENT, `the message does not carry the pattern "${chosen}" it was sent for`, PATTERN_HEADER);
    }
    return this.#local.serve(pattern.canonical, message, headers, via);
  }

  async #route(message: Record<string, unknown>, headers: Record<string, string>, via: Via, timeoutMs: number | undefined): Promise<unknown> {
    const text = patternOf(message);
    const match = this.routes.lookup(text);
    if (match === undefined) throw new RonyError(ErrorCode.NOT_FOUND, `no service registered a pattern that "${text}" carries`, text);
    const tried: string[] = [];
    let body: string | undefined;
    for (const instance of this.#order(match.value)) {
      if (instance.nodeId === this.id && this.#local.has(match.pattern)) return this.#local.serve(match.pattern, message, headers, via);
      body ??= JSON.stringify(message);
      try {
        const output = await forward(instance.address, match.pattern, body, headers, timeoutMs ?? this.#timeoutMs);
        this.#suspects.delete(instance.address);
        return output;
      } catch (e) {
        // Only failures that prove the call never ran (or was refused as stale) move it to another instance.
        const stale = RonyError.is(e, ErrorCode.FAILED_PRECONDITION) && e.items === STALE;
        if (!(e instanceof InstanceUnreachable) && !stale) throw e;
        this.#suspects.set(instance.address, Date.now() + this.#suspectMs);
        tried.push(`${instance.nodeId} at ${instance.address} (${e instanceof InstanceUnreachable ? e.reason : "stale"})`);
      }
    }
    throw new RonyError(ErrorCode.UNAVAILABLE, `no instance of "${match.pattern}" could be reached: ${tried.join(", ")}`, match.pattern);
  }

  /** The instances to try, starting at the round-robin position; suspects last. */
  #order(entry: RouteEntry): Instance[] {
    const all = entry.instances;
    if (all.length === 0) return [];
    const start = entry.next++ % all.length;
    const now = Date.now();
    const rotated = [...all.slice(start), ...all.slice(0, start)];
    const fresh = rotated.filter((i) => (this.#suspects.get(i.address) ?? 0) <= now);
    return fresh.length === rotated.length ? rotated : [...fresh, ...rotated.filter((i) => !fresh.includes(i))];
  }
}

function patternOf(message: Record<string, unknown>): string {
  const p = message["Pattern"];
  if (typeof p !== "string") throw new RonyError(ErrorCode.INVALID_ARGUMENT, 'the message has no "Pattern" string', "Pattern");
  return p;
}
