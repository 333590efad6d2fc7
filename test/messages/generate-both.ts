// Generates the conformance protos twice, with ts-proto (the oracle, under `buf generate`) and with
// our messages plugin (in-process), into one folder under the repo so node_modules resolves.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { create, createFileRegistry, type FileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { generate } from "../../compiler/index.js";
import { allPlugins } from "../../plugins/index.js";
import { writeTree } from "../../fixtures/cases.js";
import { bufBin, buildRequest, repoRoot } from "../support/run-plugin.js";

export const protoDir = join(repoRoot, "test/messages/protos");
export const tsProtoOptions = "esModuleInterop=true,importSuffix=.js,forceLong=bigint,outputServices=false,useExactTypes=false,env=both";

export interface Generated {
  readonly root: string;
  /** Folders holding ts-proto's and our modules, laid out the same way (conformance/x.ts → x.ts). */
  readonly tsProtoDir: string;
  readonly oursDir: string;
  /** Descriptors of the protos (with imports), to build arbitraries from. */
  readonly registry: FileRegistry;
}

export function generateBoth(root: string): Generated {
  rmSync(root, { recursive: true, force: true });
  const protos = Object.fromEntries(readdirSync(protoDir).map((n) => [n, readFileSync(join(protoDir, n), "utf8")]));

  const request = buildRequest(protos);
  const oursDir = join(root, "ours");
  writeTree(oursDir, Object.fromEntries(generate(request, allPlugins).file.map((f) => [f.name ?? "", f.content ?? ""])));

  const src = join(root, "src");
  cpSync(protoDir, src, { recursive: true });
  writeFileSync(join(src, "buf.yaml"), "version: v2\n");
  const plugin = join(repoRoot, "node_modules/.bin/protoc-gen-ts_proto");
  const template = { version: "v2", plugins: [{ local: plugin, out: join(root, "ts-proto"), opt: tsProtoOptions }] };
  execFileSync(bufBin, ["generate", "--template", JSON.stringify(template)], { cwd: src, stdio: ["ignore", "ignore", "pipe"] });

  return { root, tsProtoDir: join(root, "ts-proto"), oursDir, registry: createFileRegistry(create(FileDescriptorSetSchema, { file: request.protoFile })) };
}
