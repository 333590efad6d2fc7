// The Wallets example on plain edge servers, two "shards" chosen by each call's shard key: the
// wallet rules, the edge refusing the internal Credit, and Payments.Transfer across two servers
// (withdraw, deposit, refund when the deposit fails) through the generated WalletsClusterStub.
import { afterEach, describe, expect, it } from "vitest";
import { EdgeServer, ErrorCode, MemoryStore, RonyError, withModels, type CallOptions, type MethodDescriptor, type Transport } from "rony-ts/runtime";
import { WebSocketTransport } from "rony-ts/runtime/client";
import { SLOT_COUNT, TUNNEL_HEADER, TunnelAuthenticator, openTunnel, slotOf } from "rony-ts/runtime/cluster";
import { createWalletsModels } from "../../generated/examples/wallets.models.js";
import { PaymentsClient, WalletsClient, WalletsClusterStub, registerPayments, registerWallets } from "../../generated/examples/wallets.rony.js";
import { ModelWalletsService, PaymentsService } from "../../demo/wallets-service.js";

const SECRET = "wallets-test-secret-0123456789";

interface Shard {
  readonly server: EdgeServer;
  readonly tunnel: WebSocketTransport;
}

const started: { close(): Promise<void> | void }[] = [];
afterEach(async () => {
  for (const s of started.splice(0).reverse()) await s.close();
});

/** An edge serving Wallets on its own memory store, its tunnel open to nodes that know SECRET. */
async function startShard(id: string): Promise<Shard> {
  const auth = new TunnelAuthenticator(SECRET, id);
  const server = new EdgeServer({ host: "127.0.0.1", tunnel: { authorize: (h) => auth.verify(h[TUNNEL_HEADER]) !== undefined } });
  registerWallets(withModels(server, createWalletsModels({ ledger: new MemoryStore("ledger") })), new ModelWalletsService());
  const port = await server.listen(0);
  const tunnel = openTunnel({ secret: SECRET, from: "payments", to: id, host: "127.0.0.1", port, timeoutMs: 3_000 });
  started.push({ close: () => server.shutdown() }, { close: () => tunnel.close() });
  return { server, tunnel };
}

/** Sends each call to shards[0] for the lower half of the slots, shards[1] for the upper: by the descriptor's shardKey. */
function bySlot(shards: readonly Shard[], beforeCall: (shard: Shard) => Promise<void> = async () => {}): Transport {
  return {
    async call<I, O>(method: MethodDescriptor<I, O>, input: I, options?: CallOptions): Promise<O> {
      const shard = shards[slotOf(method.shardKey!(input)) < SLOT_COUNT / 2 ? 0 : 1]!;
      await beforeCall(shard);
      return shard.tunnel.call(method, input, options);
    },
  };
}

// Owners whose slots fall in the lower and the upper half.
const low = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"].find((o) => slotOf(o) < SLOT_COUNT / 2)!;
const high = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"].find((o) => slotOf(o) >= SLOT_COUNT / 2)!;

async function paymentsOn(wallets: Transport): Promise<PaymentsClient> {
  const edge = new EdgeServer({ host: "127.0.0.1" });
  registerPayments(edge, new PaymentsService(wallets));
  const port = await edge.listen(0);
  const client = new WebSocketTransport(`ws://127.0.0.1:${port}/ws`, { reconnect: false, timeoutMs: 10_000 });
  started.push({ close: () => edge.shutdown() }, { close: () => client.close() });
  return new PaymentsClient(client);
}

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error("expected the call to fail"); }, (e: unknown) => e);

describe("Wallets", () => {
  it("carries the shard key in every descriptor", () => {
    const stub = new WalletsClusterStub({ call: async (method, input) => method.shardKey!(input) as never });
    return expect(Promise.all([stub.deposit({ owner: "o1", amount: 1n }), stub.set({ owner: "o2", balance: 1n }), stub.get({ owner: "o3" }), stub.credit({ owner: "o4", amount: 1n })]))
      .resolves.toEqual(["o1", "o2", "o3", "o4"]);
  });

  it("deposits, refuses going below zero, sets and counts versions", async () => {
    const wallets = new WalletsClusterStub((await startShard("1:1")).tunnel);
    expect(await wallets.get({ owner: "new" })).toEqual({ owner: "new", balance: 0n, version: 0n });
    expect(await wallets.deposit({ owner: "w", amount: 100n })).toEqual({ owner: "w", balance: 100n, version: 1n });
    expect(await wallets.deposit({ owner: "w", amount: -30n })).toEqual({ owner: "w", balance: 70n, version: 2n });
    const overdraw = await failure(wallets.deposit({ owner: "w", amount: -71n }));
    expect(RonyError.is(overdraw, ErrorCode.FAILED_PRECONDITION) && overdraw.items).toBe("balance");
    expect(await wallets.set({ owner: "w", balance: 5n })).toEqual({ owner: "w", balance: 5n, version: 3n });
    expect(RonyError.is(await failure(wallets.set({ owner: "w", balance: -1n })), ErrorCode.INVALID_ARGUMENT)).toBe(true);
    expect(await wallets.get({ owner: "w" })).toEqual({ owner: "w", balance: 5n, version: 3n });
  });

  it("refuses the internal Credit on the client edge", async () => {
    const shard = await startShard("1:1");
    const ws = new WebSocketTransport(`ws://127.0.0.1:${shard.server.port}/ws`, { reconnect: false });
    started.push({ close: () => ws.close() });
    expect(RonyError.is(await failure(new WalletsClusterStub(ws).credit({ owner: "w", amount: 1n })), ErrorCode.UNIMPLEMENTED)).toBe(true);
    expect(await new WalletsClient(ws).get({ owner: "w" })).toMatchObject({ balance: 0n });
  });
});

describe("Payments.Transfer", () => {
  it("moves money between wallets on two servers", async () => {
    const shards = [await startShard("1:1"), await startShard("2:1")];
    const wallets = new WalletsClusterStub(bySlot(shards));
    await wallets.set({ owner: low, balance: 100n });
    const payments = await paymentsOn(bySlot(shards));
    const reply = await payments.transfer({ from: low, to: high, amount: 40n });
    expect(reply).toEqual({ from: { owner: low, balance: 60n, version: 2n }, to: { owner: high, balance: 40n, version: 1n } });
    // each wallet lives on the server its slot picked
    expect(await new WalletsClusterStub(shards[1]!.tunnel).get({ owner: high })).toMatchObject({ balance: 40n });
    expect(await new WalletsClusterStub(shards[0]!.tunnel).get({ owner: high })).toMatchObject({ balance: 0n });
  });

  it("refuses an overdraft, a zero amount and a transfer to oneself, moving nothing", async () => {
    const shards = [await startShard("1:1"), await startShard("2:1")];
    const wallets = new WalletsClusterStub(bySlot(shards));
    await wallets.set({ owner: low, balance: 10n });
    const payments = await paymentsOn(bySlot(shards));
    expect(RonyError.is(await failure(payments.transfer({ from: low, to: high, amount: 11n })), ErrorCode.FAILED_PRECONDITION)).toBe(true);
    expect(RonyError.is(await failure(payments.transfer({ from: low, to: high, amount: 0n })), ErrorCode.INVALID_ARGUMENT)).toBe(true);
    expect(RonyError.is(await failure(payments.transfer({ from: low, to: low, amount: 1n })), ErrorCode.INVALID_ARGUMENT)).toBe(true);
    expect(await wallets.get({ owner: low })).toEqual({ owner: low, balance: 10n, version: 1n });
    expect(await wallets.get({ owner: high })).toEqual({ owner: high, balance: 0n, version: 0n });
  });

  it("refunds the withdrawal when the deposit's server is down", async () => {
    const shards = [await startShard("1:1"), await startShard("2:1")];
    const wallets = new WalletsClusterStub(bySlot(shards));
    await wallets.set({ owner: low, balance: 100n });
    const payments = await paymentsOn(bySlot(shards));
    await shards[1]!.server.shutdown();
    const err = await failure(payments.transfer({ from: low, to: high, amount: 40n }));
    expect(RonyError.is(err) && err.code !== ErrorCode.INTERNAL).toBe(true);
    // withdrawn (version 2), then refunded (version 3)
    expect(await wallets.get({ owner: low })).toEqual({ owner: low, balance: 100n, version: 3n });
  });

  it("names the money in neither wallet when the refund fails too", async () => {
    const shards = [await startShard("1:1"), await startShard("2:1")];
    await new WalletsClusterStub(bySlot(shards)).set({ owner: low, balance: 100n });
    await shards[1]!.server.shutdown();
    // The deposit leg goes out: the first server dies before the refund reaches it.
    const payments = await paymentsOn(bySlot(shards, async (shard) => {
      if (shard === shards[1]) await shards[0]!.server.shutdown();
    }));
    const err = await failure(payments.transfer({ from: low, to: high, amount: 40n }));
    expect(RonyError.is(err, ErrorCode.INTERNAL) && err.items).toBe("refund");
    expect((err as RonyError).description).toContain(`40 left ${low} but reached neither ${high}`);
  });
});
