// The Wallets example (schemas/examples/wallets.proto): ModelWalletsService keeps wallets in the
// generated repository, PaymentsService moves money between two of them through the Wallets
// cluster stub. Deterministic, as a replicated handler must be: no clock, no randomness, nothing
// outside the replica set's raft connection.
import { ErrorCode, RonyError, type ModelContext, type Transport } from "rony-ts/runtime";
import type { CreditRequest, DepositRequest, GetWalletRequest, SetBalanceRequest, TransferReply, TransferRequest, Wallet } from "../generated/examples/wallets.js";
import type { WalletsModels } from "../generated/examples/wallets.models.js";
import { WalletsClusterStub, type PaymentsServer, type WalletsServer } from "../generated/examples/wallets.rony.js";

type Ctx = ModelContext<WalletsModels>;

/**
 * Each write reads the wallet, then saves it: on a replica set calls run one at a time, so no
 * other write falls between the two. Served by one plain edge instead, concurrent writes to one
 * owner could interleave there.
 */
export class ModelWalletsService implements WalletsServer<Ctx> {
  deposit(input: DepositRequest, ctx: Ctx): Promise<Wallet> {
    return add(input.owner, input.amount, ctx);
  }

  async set(input: SetBalanceRequest, ctx: Ctx): Promise<Wallet> {
    if (input.balance < 0n) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `a balance cannot be negative (${input.balance})`, "balance");
    const wallet = await walletOf(input.owner, ctx);
    return ctx.models.wallet.save({ ...wallet, balance: input.balance, version: wallet.version + 1n });
  }

  get(input: GetWalletRequest, ctx: Ctx): Promise<Wallet> {
    return walletOf(input.owner, ctx);
  }

  credit(input: CreditRequest, ctx: Ctx): Promise<Wallet> {
    return add(input.owner, input.amount, ctx);
  }
}

async function walletOf(owner: string, ctx: Ctx): Promise<Wallet> {
  return (await ctx.models.wallet.get({ owner })) ?? { owner, balance: 0n, version: 0n };
}

async function add(owner: string, amount: bigint, ctx: Ctx): Promise<Wallet> {
  const wallet = await walletOf(owner, ctx);
  const balance = wallet.balance + amount;
  if (balance < 0n) throw new RonyError(ErrorCode.FAILED_PRECONDITION, `${owner} has ${wallet.balance}, cannot take ${-amount}`, "balance");
  return ctx.models.wallet.save({ ...wallet, balance, version: wallet.version + 1n });
}

/**
 * Transfer is two writes on (possibly) two replica sets, not one atomic step: it withdraws from
 * `from`, then deposits to `to`, and refunds `from` when the deposit fails. The transport reaches
 * the owner of each wallet (a cluster node's routing transport, or a tunnel in a test).
 */
export class PaymentsService implements PaymentsServer {
  readonly #wallets: WalletsClusterStub;

  constructor(wallets: Transport) {
    this.#wallets = new WalletsClusterStub(wallets);
  }

  async transfer(input: TransferRequest): Promise<TransferReply> {
    if (input.amount <= 0n) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `a transfer moves more than 0 (got ${input.amount})`, "amount");
    if (input.from === input.to) throw new RonyError(ErrorCode.INVALID_ARGUMENT, `a transfer needs two owners (got ${input.from} twice)`, "to");
    const from = await this.#wallets.credit({ owner: input.from, amount: -input.amount });
    try {
      return { from, to: await this.#wallets.credit({ owner: input.to, amount: input.amount }) };
    } catch (depositFailed) {
      await this.#refund(input, depositFailed);
      throw depositFailed;
    }
  }

  async #refund(input: TransferRequest, cause: unknown): Promise<void> {
    try {
      await this.#wallets.credit({ owner: input.from, amount: input.amount });
    } catch (refundFailed) {
      const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
      throw new RonyError(ErrorCode.INTERNAL, `${input.amount} left ${input.from} but reached neither ${input.to} (${why(cause)}) nor ${input.from} again (${why(refundFailed)})`, "refund");
    }
  }
}
