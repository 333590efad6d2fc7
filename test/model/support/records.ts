// Records for the suite: full-featured accounts and sessions.
import { Account, Plan, Session } from "../../../generated/examples/accounts.js";

let next = 1n;

export function account(overrides: Partial<Account> = {}): Account {
  const serial = next++;
  return Account.fromPartial({
    tenant: "acme",
    id: serial,
    email: `user${serial}@example.com`,
    handle: `user${serial}`,
    displayName: `User ${serial}`,
    plan: Plan.PLAN_PRO,
    credits: 10n,
    score: -3,
    logins: 7,
    balance: 12.5,
    ratio: Math.fround(0.75),
    active: true,
    avatar: new Uint8Array([1, 0, 2]),
    tags: ["a", "b"],
    friendIds: [1n, 2n],
    address: { street: "Main St 1", city: "Springfield", geohash: 42n },
    counters: { visits: 3n },
    locale: "de",
    quota: 5,
    ...overrides,
  });
}

export function session(overrides: Partial<Session> = {}): Session {
  return Session.fromPartial({ accountId: 1n, createdAt: 1000n, token: `tok-${next++}`, device: "phone", ...overrides });
}
