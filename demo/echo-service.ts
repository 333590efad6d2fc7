// The Echo sample: returns what it gets, stamped with the server's clock.
import type { EchoServer } from "../generated/examples/echo.rony.js";
import type { EchoReply, EchoRequest, PingRequest, Pong } from "../generated/examples/echo.js";

export class EchoService implements EchoServer {
  constructor(private readonly nodeId = "demo") {}

  // Nothing to wait for: a plain value is answered at once, with no promise step.
  say(input: EchoRequest): EchoReply {
    return { intValue: input.intValue, boolValue: input.boolValue, text: input.text, serverTime: BigInt(Date.now()) };
  }

  // Internal: the edge refuses it; only cluster tunnels reach it.
  ping(_input: PingRequest): Pong {
    return { nodeId: this.nodeId };
  }
}
