// Runs protoc-gen-rony-ts in-process on protos given as strings or folders: `buf build` makes
// the descriptors (with source info, as in a real run), the compiler runs without a subprocess.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  CodeGeneratorRequestSchema,
  CodeGeneratorResponseSchema,
  FileDescriptorSetSchema,
  type CodeGeneratorRequest,
  type CodeGeneratorResponse,
} from "@bufbuild/protobuf/wkt";
import { generateFromBytes, GenerationError, ParameterError } from "../../compiler/index.js";
import { allPlugins } from "../../plugins/index.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const bufBin = join(repoRoot, "node_modules/.bin/buf");

/** Writes `protos` (path → source) into a temp buf workspace beside schemas/rony and builds them. */
export function buildRequest(protos: Record<string, string>, parameter = ""): CodeGeneratorRequest {
  const dir = mkdtempSync(join(tmpdir(), "rony-plugin-"));
  try {
    mkdirSync(join(dir, "user"));
    cpSync(join(repoRoot, "schemas/rony"), join(dir, "rony/rony"), { recursive: true });
    for (const [name, source] of Object.entries(protos)) {
      mkdirSync(dirname(join(dir, "user", name)), { recursive: true });
      writeFileSync(join(dir, "user", name), source);
    }
    writeFileSync(join(dir, "buf.yaml"), "version: v2\nmodules:\n  - path: user\n  - path: rony\n");
    const image = join(dir, "image.binpb");
    execFileSync(bufBin, ["build", "-o", image], { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(image));
    return create(CodeGeneratorRequestSchema, {
      fileToGenerate: Object.keys(protos).filter((n) => n.endsWith(".proto")).sort(),
      parameter,
      protoFile: set.file,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export type PluginResult = { ok: true; files: Record<string, string> } | { ok: false; error: string };

/** Runs the request the way the bin does: source info split off the bytes before decoding. */
export function generateLikeTheBin(request: CodeGeneratorRequest): CodeGeneratorResponse {
  return fromBinary(CodeGeneratorResponseSchema, generateFromBytes(toBinary(CodeGeneratorRequestSchema, request), allPlugins));
}

/** Runs all plugins; a schema or parameter error comes back as its message, as the bin prints it. */
export function runPlugin(protos: Record<string, string>, parameter = ""): PluginResult {
  const request = buildRequest(protos, parameter);
  try {
    const response = generateLikeTheBin(request);
    return { ok: true, files: Object.fromEntries(response.file.map((f) => [f.name ?? "", f.content ?? ""])) };
  } catch (err) {
    if (err instanceof GenerationError || err instanceof ParameterError) return { ok: false, error: err.message };
    throw err;
  }
}
