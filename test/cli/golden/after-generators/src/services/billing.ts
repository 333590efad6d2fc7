import type { BillingReply, GetBillingRequest } from "../../generated/shop/billing.js";
import type { BillingServer } from "../../generated/shop/billing.rony.js";
import type { AppContext } from "../app.js";

export class BillingService implements BillingServer<AppContext> {
  async get(input: GetBillingRequest, _ctx: AppContext): Promise<BillingReply> {
    return { id: input.id };
  }
}
