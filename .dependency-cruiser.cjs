/** Layer rules from ARCHITECTURE.md. A rule changes only with a reason written beside it. */
module.exports = {
  forbidden: [
    {
      name: "compiler-is-plugin-agnostic",
      comment: "the host knows plugins only through the plugin interface; the bin wires them",
      severity: "error",
      from: { path: "^compiler/" },
      to: { path: "^(plugins|runtime|cli)/" },
    },
    {
      name: "plugins-emit-runtime-paths-as-strings",
      comment: "plugins never import the runtime or the CLI",
      severity: "error",
      from: { path: "^plugins/" },
      to: { path: "^(runtime|cli)/" },
    },
    {
      name: "plugins-stay-apart",
      comment: "one output kind per plugin; none depends on another's internals (plugins/common is shared help)",
      severity: "error",
      from: { path: "^plugins/([^/]+)/" },
      to: { path: "^plugins/([^/]+)/", pathNot: ["^plugins/$1/", "^plugins/common/"] },
    },
    {
      name: "runtime-ships-alone",
      comment: "a deployed service ships the runtime alone",
      severity: "error",
      from: { path: "^runtime/" },
      to: { path: ["^(compiler|plugins|cli)/", "node_modules/(ts-morph|handlebars)/"] },
    },
    {
      name: "runtime-uses-only-rony-messages",
      comment: "the runtime may use generated messages of schemas/rony only",
      severity: "error",
      from: { path: "^runtime/" },
      to: { path: "^generated/", pathNot: "^generated/rony/" },
    },
    {
      name: "raft-core-has-no-io",
      comment: "deterministic core: the same seed replays the same run",
      severity: "error",
      from: { path: "^runtime/raft/core/", pathNot: "\\.test\\.ts$" },
      to: { path: ["^(fs|net|dgram|timers|node:fs|node:net|node:dgram|node:timers)"], dependencyTypes: ["core"] },
    },
    {
      name: "client-runs-in-browsers",
      comment: "runtime/client and the rpc contract it uses run in browsers",
      severity: "error",
      from: { path: "^runtime/(client|rpc)/", pathNot: "\\.test\\.ts$" },
      to: {
        path: ["node_modules/(uWebSockets\\.js|mysql2|ioredis)/", "^runtime/(edge|redis|raft|model|cluster)/"],
      },
    },
    {
      name: "client-no-node-builtins",
      comment: "runtime/client runs in browsers",
      severity: "error",
      from: { path: "^runtime/(client|rpc)/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "packages-are-declared",
      comment: "every package imported (tests and benches too) is in package.json, so a fresh npm ci has it",
      severity: "error",
      from: {},
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "shipped-code-uses-dependencies",
      comment: "a created project installs rony-ts without its devDependencies",
      severity: "error",
      from: { path: "^(compiler|plugins|runtime|cli)/", pathNot: "\\.test\\.ts$" },
      to: { dependencyTypes: ["npm-dev"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^dist/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { conditionNames: ["source", "import", "default"], extensions: [".ts", ".js"] },
  },
};
