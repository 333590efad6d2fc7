import { describe, expect, it } from "vitest";
import { ErrorCode, RonyError } from "../rpc/index.js";
import { parseQuery, restInput, uwsPattern } from "./rest-mapping.js";

describe("REST mapping", () => {
  it("turns path templates into uWS patterns", () => {
    expect(uwsPattern("/notebooks/{notebook}/notes/{id}")).toBe("/notebooks/:notebook/notes/:id");
  });

  it("parses repeated keys into arrays, and true/false into booleans for bool fields only", () => {
    const binding = { method: "GET" as const, path: "/x", pathParams: [], body: "", boolParams: ["on", "is_on"] };
    expect(parseQuery(binding, "tags=a&tags=b&limit=3&on=true&is_on=false&text=true&bad=1")).toEqual({ tags: ["a", "b"], limit: "3", on: true, is_on: false, text: "true", bad: "1" });
    expect(parseQuery(binding, "on=yes")).toEqual({ on: "yes" }); // left for fromJSON to refuse
  });

  it("layers body, then query, then path params", () => {
    const binding = { method: "PUT" as const, path: "/n/{notebook}/{id}", pathParams: ["notebook", "id"], body: "note" };
    expect(restInput(binding, ["my%20book", "5"], "id=9&x=1", '{"title":"t"}')).toEqual({ note: { title: "t" }, notebook: "my book", id: "5", x: "1" });
    const star = { ...binding, body: "*" };
    expect(restInput(star, ["b", "1"], "", '{"title":"t","notebook":"ignored"}')).toEqual({ title: "t", notebook: "b", id: "1" });
  });

  it("refuses bodies that are not JSON objects with INVALID_ARGUMENT", () => {
    const star = { method: "POST" as const, path: "/x", pathParams: [], body: "*" };
    for (const body of ["nope", "[1]", "3"]) {
      expect(() => restInput(star, [], "", body)).toThrow(RonyError);
      try {
        restInput(star, [], "", body);
      } catch (e) {
        expect(RonyError.is(e, ErrorCode.INVALID_ARGUMENT)).toBe(true);
      }
    }
  });
});
