import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Generated code imports the runtime by package name, exactly as in a user's project.
    // Every entry package.json exports: rony-ts/runtime[/<part>] → runtime[/<part>]/index.ts.
    alias: [{ find: /^rony-ts\/runtime((?:\/[a-z]+)?)$/, replacement: `${here("./runtime")}$1/index.ts` }],
  },
  test: {
    include: ["**/*.test.ts"],
    // test/cli/golden holds a created project's files (its own tests included) as golden data.
    exclude: ["node_modules/**", "dist/**", "test/cli/golden/**", ".fixtures-tmp/**", ".conformance-tmp/**", ".layout-tmp/**", ".bench-tmp/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
