import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "generated/", "fixtures/**/expected/", "**/*.d.ts", ".fixtures-tmp/", ".conformance-tmp/", ".layout-tmp/", ".bench-tmp/", "test/cli/golden/", "bench/edge-peers/*_pb.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: "readonly", process: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
      "no-undef": "off",
    },
  },
  {
    // The Raft core is deterministic: time and randomness come in through tick() and an injected source.
    files: ["runtime/raft/core/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "Math", property: "random", message: "inject a seeded random source" },
        { object: "Date", property: "now", message: "time enters the core through tick()" },
        { object: "performance", property: "now", message: "time enters the core through tick()" },
      ],
      "no-restricted-globals": [
        "error",
        { name: "setTimeout", message: "timers live in the RaftNode, not the core" },
        { name: "setInterval", message: "timers live in the RaftNode, not the core" },
        { name: "setImmediate", message: "timers live in the RaftNode, not the core" },
      ],
    },
  },
);
