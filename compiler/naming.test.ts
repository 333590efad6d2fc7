import { describe, expect, it } from "vitest";
import { camelCase, safeIdentifier, safeMember, snakeCase } from "./naming.js";

describe("naming", () => {
  it("keeps schema names from becoming reserved words or shadowing globals", () => {
    expect(safeIdentifier("delete")).toBe("delete$");
    expect(safeIdentifier("Promise")).toBe("Promise$");
    expect(safeIdentifier("Object")).toBe("Object$");
    expect(safeIdentifier("User")).toBe("User");
    expect(safeIdentifier("9lives")).toBe("_9lives");
  });

  it("escapes members that would change meaning on a class or an interface", () => {
    expect(safeMember("constructor")).toBe("constructor$");
    expect(safeMember("new")).toBe("new$");
    expect(safeMember("__proto__")).toBe("__proto__$");
    expect(safeMember("delete")).toBe("delete");
  });

  it("converts case like protobuf's JSON names", () => {
    expect(camelCase("user_id")).toBe("userId");
    expect(camelCase("a__b_c1")).toBe("aBC1");
    expect(snakeCase("UserProfile")).toBe("user_profile");
    expect(snakeCase("HTTPRequest")).toBe("http_request");
  });
});
