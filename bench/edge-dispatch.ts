// In-process dispatch: envelope bytes in → decode → route → handler → encode → reply bytes out,
// with no socket. This is the edge's own cost per call (Rony's Go edge: about 1.2 µs).
import { CallGate, Dispatcher, FrameHandler, type Peer } from "rony-ts/runtime";
import { encodeEnvelope } from "rony-ts/runtime/rpc";
import { EchoIds, registerEcho, type EchoServer } from "../generated/examples/echo.rony.js";
import { EchoReply, EchoRequest } from "../generated/examples/echo.js";
import { Envelope } from "../generated/rony/envelope.js";

class CountingPeer implements Peer {
  readonly connection = undefined;
  replies = 0;
  bytes = 0;
  wake: (() => void) | undefined;
  admit(): boolean {
    return true;
  }
  release(): void {}
  sendBinary(frame: Uint8Array): void {
    this.replies++;
    this.bytes += frame.length;
    this.wake?.();
  }
  sendText(): void {}
}

const handler: EchoServer = {
  say(input) {
    return { intValue: input.intValue, boolValue: input.boolValue, text: input.text, serverTime: 1n };
  },
  ping() {
    return { nodeId: "" };
  },
};

export const sampleRequest = { intValue: 1234567890123n, boolValue: true, text: "0123456789abcdef0123456789abcdef" };

export function requestFrame(): Uint8Array {
  return encodeEnvelope({ constructorId: EchoIds.Say, requestId: 1, payload: EchoRequest.encode(sampleRequest).finish(), headers: {} });
}

const settle = () => new Promise<void>((r) => setImmediate(r));

export interface DispatchResult {
  /** Many calls started back to back, as on a busy connection: best of the rounds (the code's own cost). */
  pipelinedNs: number;
  /** The same, median of the rounds (what a shared machine gives). */
  pipelinedMedianNs: number;
  /** One call at a time, awaiting each reply (includes the bench's own promise per call). */
  sequentialNs: number;
  /** The generated codecs alone: decode envelope + input, encode output + envelope; no routing, no promises. */
  codecFloorNs: number;
}

export async function measureDispatch(calls: number): Promise<DispatchResult> {
  const dispatcher = new Dispatcher();
  registerEcho(dispatcher, handler);
  const frames = new FrameHandler(dispatcher, new CallGate(), "ws");
  const frame = requestFrame();
  const peer = new CountingPeer();

  const pipelined = async (n: number) => {
    const batch = 256;
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < n; done += batch) {
      for (let i = 0; i < batch; i++) frames.binary(frame, peer);
      await settle();
    }
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const sequential = async (n: number) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const replied = new Promise<void>((r) => (peer.wake = r));
      frames.binary(frame, peer);
      await replied;
    }
    peer.wake = undefined;
    return Number(process.hrtime.bigint() - t0) / n;
  };
  const floor = (n: number) => {
    const t0 = process.hrtime.bigint();
    let sink = 0;
    for (let i = 0; i < n; i++) {
      const env = Envelope.decode(frame);
      const input = EchoRequest.decode(env.payload);
      const out = EchoReply.encode({ ...input, serverTime: 1n }).finish();
      sink += Envelope.encode({ constructorId: 1, requestId: env.requestId, payload: out, headers: {} }).finish().length;
    }
    if (sink === 0) throw new Error("unreachable");
    return Number(process.hrtime.bigint() - t0) / n;
  };

  await pipelined(calls / 4); // warm-up: let the JIT settle
  await sequential(calls / 8);
  floor(calls / 4);
  const p: number[] = [];
  const s: number[] = [];
  const f: number[] = [];
  for (let round = 0; round < 5; round++) {
    p.push(await pipelined(calls));
    s.push(await sequential(calls / 2));
    f.push(floor(calls));
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  if (peer.replies === 0) throw new Error("no replies");
  return { pipelinedNs: Math.min(...p), pipelinedMedianNs: med(p), sequentialNs: med(s), codecFloorNs: med(f) };
}
