// Plugin time and whole `buf generate` time for a synthetic schema of 200 services × 10 rpcs and
// 200 models. protoc-gen-rony-ts writes messages, services, models and connections in one run;
// the peers are the message generators alone on the same schema: ts-proto and protoc-gen-es.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import { toBinary } from "@bufbuild/protobuf";
import { CodeGeneratorRequestSchema } from "@bufbuild/protobuf/wkt";
import { generateFromBytes } from "../compiler/index.js";
import { allPlugins } from "../plugins/index.js";
import { buildRequest, bufBin, repoRoot } from "../test/support/run-plugin.js";

const SERVICES = 200;
const RPCS = 10;
const ROUNDS = 5;

function syntheticSchema(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let s = 0; s < SERVICES; s++) {
    const lines = ['syntax = "proto3";', `package synth.s${s};`, 'import "rony/options.proto";', 'option (rony.connection) = { name: "main", kind: "mysql" };'];
    lines.push(`message Record${s} {`, '  option (rony.model) = { primary_key: { partition_key: ["owner"], sort_key: ["-id"] } indexes: [{ fields: ["email"], unique: true }] };');
    lines.push("  string owner = 1;", "  int64 id = 2;", "  string email = 3;", "  repeated string tags = 4;", "  map<string, int64> counters = 5;", "}");
    for (let r = 0; r < RPCS; r++) {
      lines.push(`message Req${r} { string owner = 1; int64 id = 2; string text = 3; bool flag = 4; }`);
      lines.push(`message Res${r} { Record${s} record = 1; repeated string notes = 2; }`);
    }
    lines.push(`service Service${s} {`);
    for (let r = 0; r < RPCS; r++) {
      const http = r % 2 === 0 ? ` option (rony.rpc) = { http: { method: POST, path: "/s${s}/r${r}/{owner}", body: "*" } };` : "";
      lines.push(`  rpc Call${r}(Req${r}) returns (Res${r}) {${http} }`);
    }
    lines.push("}");
    files[`synth/s${s}.proto`] = lines.join("\n") + "\n";
  }
  return files;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

function timeMs(fn: () => void): number {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const protos = syntheticSchema();
const request = buildRequest(protos);
// What the bin does with stdin: split off source info, decode, generate, encode.
const requestBytes = toBinary(CodeGeneratorRequestSchema, request);
const inProcess = median(Array.from({ length: ROUNDS }, () => timeMs(() => generateFromBytes(requestBytes, allPlugins))));

const work = join(repoRoot, ".bench-tmp/compiler");
rmSync(work, { recursive: true, force: true });
for (const [name, source] of Object.entries(protos)) {
  mkdirSync(join(work, "schemas", name, ".."), { recursive: true });
  writeFileSync(join(work, "schemas", name), source);
}
cpSync(join(repoRoot, "schemas/rony"), join(work, "schemas/rony"), { recursive: true });
writeFileSync(join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: schemas\n");

// The compiled plugin is what users run (`dist/cli`); build it once into the bench folder.
const dist = join(work, "dist");
writeFileSync(join(work, "tsconfig.json"), JSON.stringify({
  extends: join(repoRoot, "tsconfig.build.json"),
  compilerOptions: { outDir: dist, rootDir: repoRoot, declaration: false, sourceMap: false },
  include: [],
  files: [join(repoRoot, "cli/protoc-gen-rony-ts.ts")],
}));
execFileSync(join(repoRoot, "node_modules/.bin/tsc"), ["-p", join(work, "tsconfig.json")], { stdio: "inherit" });
const compiledPlugin = join(work, "protoc-gen-rony-ts");
writeFileSync(compiledPlugin, `#!/bin/sh\nexec node ${join(dist, "cli/protoc-gen-rony-ts.js")}\n`, { mode: 0o755 });
// dist/ resolves packages from the repository's node_modules.
cpSync(join(repoRoot, "package.json"), join(work, "package.json"));
execFileSync("ln", ["-sfn", join(repoRoot, "node_modules"), join(work, "node_modules")]);

const tsProto = `  - local: ${join(repoRoot, "node_modules/.bin/protoc-gen-ts_proto")}\n    out: out\n    opt: [esModuleInterop=true, importSuffix=.js, forceLong=bigint, outputServices=false, emitImportedFiles=false]\n`;
const protobufEs = `  - local: ${join(repoRoot, "node_modules/.bin/protoc-gen-es")}\n    out: out\n    opt: [target=ts, import_extension=js]\n`;
const rony = `  - local: ${compiledPlugin}\n    out: out\n`;
const templates = { "ts-proto only (messages)": tsProto, "protoc-gen-es only (messages)": protobufEs, "rony-ts (everything)": rony };
const peer = "ts-proto only (messages)";

const wall: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  const build = timeMs(() => execFileSync(bufBin, ["build", "-o", join(work, "image.binpb")], { cwd: work, stdio: "inherit" }));
  wall["compile only (buf build)"] = Math.min(wall["compile only (buf build)"] ?? Infinity, build);
  for (const [label, plugins] of Object.entries(templates)) {
    // As in a project made by `rony-ts project create`: rony's own protos are imported, not generated.
    writeFileSync(join(work, "buf.gen.yaml"), `version: v2\ninputs:\n  - directory: schemas\n    exclude_paths: [schemas/rony]\nplugins:\n${plugins}`);
    rmSync(join(work, "out"), { recursive: true, force: true });
    const ms = timeMs(() => execFileSync(bufBin, ["generate"], { cwd: work, stdio: "inherit" }));
    wall[label] = Math.min(wall[label] ?? Infinity, ms);
  }
}

const tsProtoMs = wall[peer] ?? NaN;
console.log(`schema: ${SERVICES} services × ${RPCS} rpcs, ${SERVICES} models, ${Object.keys(protos).length} files`);
console.log(`${"what".padEnd(58)}${"ms".padStart(10)}${"vs ts-proto".padStart(14)}`);
const row = (label: string, ms: number) => console.log(`${label.padEnd(58)}${ms.toFixed(1).padStart(10)}${(ms / tsProtoMs).toFixed(2).padStart(13)}×`);
row("rony-ts in-process: stdin bytes → stdout bytes (median)", inProcess);
for (const [label, ms] of Object.entries(wall)) row(`buf: ${label} (best)`, ms);
const total = wall["rony-ts (everything)"] ?? NaN;
console.log(`machine load while measuring: ${loadavg().map((l) => l.toFixed(1)).join(" ")} (2 cores; other load inflates every row)`);
console.log(`target: whole buf generate under 2000 ms → ${total.toFixed(0)} ms ${total < 2000 ? "(met)" : "(NOT met)"}`);
rmSync(work, { recursive: true, force: true });
