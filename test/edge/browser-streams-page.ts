// The page the Chromium stream test loads: every kind of stream through the generated Ticker
// client over the browser's own WebSocket. It writes one line per check into #result, then
// "ready" into #ready and waits on an endless stream the test ends by shutting the server down.
import { RonyError, WebSocketTransport } from "rony-ts/runtime/client";
import type { Tick } from "../../generated/examples/ticker.js";
import { TickerClient } from "../../generated/examples/ticker.rony.js";

declare global {
  interface Window {
    __edge: string;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const lines: string[] = [];
const count = (from: number, n: number, extra: Partial<{ failAfter: bigint; everyMs: number; pad: number }> = {}) => ({
  from: BigInt(from),
  count: BigInt(n),
  failAfter: extra.failAfter ?? 0n,
  everyMs: extra.everyMs ?? 0,
  pad: extra.pad ?? 0,
});
const ticks = (n: number, note = (_: number) => ""): Tick[] => Array.from({ length: n }, (_, i) => ({ n: BigInt(i + 1), note: note(i + 1) }));
async function* slowly<T>(items: T[], ms: number): AsyncIterable<T> {
  for (const x of items) {
    await sleep(ms);
    yield x;
  }
}
async function codeOf(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "ok";
  } catch (e) {
    return e instanceof RonyError ? `code ${e.code}` : `other ${String(e)}`;
  }
}

async function main(): Promise<void> {
  const transport = new WebSocketTransport(window.__edge, { streamWindow: 64 });
  const t = new TickerClient(transport);

  // Server streams.
  const inOrder: bigint[] = [];
  for await (const x of t.count(count(5, 200))) inOrder.push(x.n);
  lines.push(`server order ${inOrder.length} ${inOrder.every((n, i) => n === BigInt(5 + i))}`);
  const before: bigint[] = [];
  lines.push(`server error ${await codeOf(async () => { for await (const x of t.count(count(0, 50, { failAfter: 3n }))) before.push(x.n); })} after ${before.length}`);
  let seen = 0;
  for await (const _ of t.count(count(0, 0, { everyMs: 1 }))) if (++seen === 3) break;
  lines.push(`server cancel ${seen} open ${transport.openStreams}`);
  lines.push(`server deadline ${await codeOf(async () => { for await (const _ of t.count(count(0, 0, { everyMs: 5 }), { timeoutMs: 50 })) void _; })}`);
  let read = 0;
  let ordered = true;
  for await (const x of t.count(count(0, 10_000, { pad: 512 }))) {
    ordered &&= x.n === BigInt(read);
    if (++read % 1000 === 0) await sleep(10);
  }
  lines.push(`server 10k ${read} ${ordered}`);

  // Client streams.
  const total = await t.sum(ticks(1000));
  lines.push(`client order ${total.sum} ${total.count}`);
  lines.push(`client error ${await codeOf(() => t.sum((async function* () { yield { n: 1n, note: "" }; throw new Error("broken"); })()))}`);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 30);
  lines.push(`client cancel ${await codeOf(() => t.sum(slowly(ticks(1000), 5), { signal: controller.signal }))}`);
  lines.push(`client deadline ${await codeOf(() => t.sum(slowly(ticks(1000), 5), { timeoutMs: 50 }))}`);
  const big = await t.sum(ticks(10_000));
  lines.push(`client 10k ${big.count}`);

  // Bidirectional streams.
  const echoed: bigint[] = [];
  for await (const x of t.echo(ticks(300))) echoed.push(x.n);
  lines.push(`bidi order ${echoed.length} ${echoed.every((n, i) => n === BigInt(i + 1))}`);
  const upTo: bigint[] = [];
  lines.push(`bidi error ${await codeOf(async () => { for await (const x of t.echo(slowly(ticks(10, (i) => (i === 4 ? "fail" : "")), 1))) upTo.push(x.n); })} after ${upTo.length}`);
  seen = 0;
  for await (const _ of t.echo(slowly(ticks(1000), 1))) if (++seen === 5) break;
  lines.push(`bidi cancel ${seen} open ${transport.openStreams}`);
  lines.push(`bidi deadline ${await codeOf(async () => { for await (const _ of t.echo(slowly(ticks(1000), 5), { timeoutMs: 50 })) void _; })}`);
  read = 0;
  for await (const _ of t.echo(ticks(10_000, () => "b".repeat(256)))) if (++read % 1000 === 0) await sleep(10);
  lines.push(`bidi 10k ${read}`);

  // The server's side of a cancel: the test shuts the server down once this stream runs.
  const ended = codeOf(async () => { for await (const _ of t.count(count(0, 0, { everyMs: 5 }))) void _; });
  await sleep(50);
  document.getElementById("ready")!.textContent = "ready";
  lines.push(`server shutdown ${await ended}`);
  document.getElementById("result")!.textContent = lines.join("\n");
  transport.close();
}

main().catch((e: unknown) => {
  document.getElementById("result")!.textContent = `failed: ${String(e)}\n${lines.join("\n")}`;
});
