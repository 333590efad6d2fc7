import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TunnelAuthenticator, clusterNodeId, tunnelToken } from "./tunnel-auth.js";

const SECRET = "tunnel-auth-test-secret-0123";

describe("tunnel tokens with cluster-wide node ids", () => {
  it("let a node of one replica set open a tunnel to a node of another", () => {
    const auth = new TunnelAuthenticator(SECRET, clusterNodeId(2, 3));
    expect(auth.verify(tunnelToken(SECRET, clusterNodeId(1, 1), "2:3"))).toBe("1:1");
    // a tool that is no node of any set (a slot mover) names itself
    expect(auth.verify(tunnelToken(SECRET, "mover-7", "2:3"))).toBe("mover-7");
  });

  it("refuse a token for another node, a token played again, a stale one and one signed without the secret", () => {
    const auth = new TunnelAuthenticator(SECRET, "2:3");
    expect(auth.verify(tunnelToken(SECRET, "1:1", "1:3"))).toBeUndefined();
    const token = tunnelToken(SECRET, "1:1", "2:3");
    expect(auth.verify(token)).toBe("1:1");
    expect(auth.verify(token)).toBeUndefined();
    expect(auth.verify(tunnelToken(SECRET, "1:1", "2:3", Date.now() - 120_000))).toBeUndefined();
    expect(auth.verify(tunnelToken("another-secret-0123456789", "1:1", "2:3"))).toBeUndefined();
  });

  it("refuse a forged claim: an id changed under a valid signature, or an id with the separator in it", () => {
    const auth = new TunnelAuthenticator(SECRET, "2:3");
    const [, to, time, nonce, mac] = tunnelToken(SECRET, "1:1", "2:3").split(".");
    expect(auth.verify(["9:9", to, time, nonce, mac].join("."))).toBeUndefined();
    // correctly signed, but "1.1" cannot be told apart from the token's fields
    const claim = `1.1.2:3.${Date.now()}.abcdef`;
    expect(auth.verify(`${claim}.${createHmac("sha256", SECRET).update(claim).digest("hex")}`)).toBeUndefined();
    expect(() => tunnelToken(SECRET, "1.1", "2:3")).toThrow(RangeError);
  });
});
