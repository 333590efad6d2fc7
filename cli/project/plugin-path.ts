// The protoc plugins `buf generate` runs, put on PATH for it: ts-proto's and ours.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fromSources, packageRoot } from "./package-root.js";

const require = createRequire(join(packageRoot, "package.json"));

export function bufBinary(): string {
  return join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin/buf");
}

/** A temp folder holding protoc-gen-ts_proto and protoc-gen-rony-ts launchers; prepend it to PATH. */
export function pluginBinDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rony-ts-plugins-"));
  const tsProto = join(dirname(require.resolve("ts-proto/package.json")), "protoc-gen-ts_proto");
  const rony = fromSources
    ? `exec "${join(packageRoot, "scripts/protoc-gen-rony-ts.sh")}"`
    : `exec node "${join(packageRoot, "dist/cli/protoc-gen-rony-ts.js")}"`;
  for (const [name, body] of [["protoc-gen-ts_proto", `exec "${tsProto}"`], ["protoc-gen-rony-ts", rony]] as const) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}
