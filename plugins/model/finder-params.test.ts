import { describe, expect, it } from "vitest";
import { runPlugin } from "../../test/support/run-plugin.js";

describe("model finders", () => {
  it("keeps the page request apart from an indexed field named page", () => {
    const result = runPlugin({
      "b.proto":
        'syntax = "proto3";\npackage b;\nimport "rony/options.proto";\noption (rony.connection) = { name: "main", kind: "memory" };\n' +
        'message Book {\n  option (rony.model) = { primary_key: { partition_key: ["id"] }, indexes: [{ fields: ["page"] }] };\n  string id = 1;\n  int32 page = 2;\n}\n',
    });
    if (!result.ok) throw new Error(result.error);
    const out = result.files["b.models.ts"] ?? "";
    expect(out).toContain("findByPage(page: number, page$?: PageRequest): Promise<Page<Book>> {");
    expect(out).toContain('return this.findMany("book_page", [page], page$);');
  });
});
