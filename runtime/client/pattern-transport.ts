// Generated clients over go-nano routing: each rpc is called by its schema pattern
// ((rony.service).pattern_prefix + (rony.rpc).pattern), so `new EchoClient(patternTransport(http))`
// reaches whichever instance registered the pattern, with typed inputs and outputs.
import { ErrorCode, RonyError, type CallOptions, type MethodDescriptor, type Transport } from "../rpc/index.js";

/** Anything that makes pattern calls: HttpTransport, WebSocketTransport, a server's PatternNode. */
export interface PatternActor {
  act(pattern: string, payload?: Record<string, unknown>, options?: CallOptions): Promise<unknown>;
}

export function patternTransport(actor: PatternActor): Transport {
  return {
    async call<I, O>(method: MethodDescriptor<I, O>, input: I, options: CallOptions = {}): Promise<O> {
      if (method.pattern === "") throw new RonyError(ErrorCode.UNIMPLEMENTED, `${method.service}.${method.name} has no pattern to route by`);
      const timeoutMs = options.timeoutMs ?? (method.timeoutMs || undefined);
      const output = await actor.act(method.pattern, method.input.toJSON(input) as Record<string, unknown>, { ...options, timeoutMs });
      return method.output.fromJSON(output);
    },
  };
}
