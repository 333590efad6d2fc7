// The protoc plugin `buf generate` runs, put on PATH for it.
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fromSources, packageRoot } from "./package-root.js";

const require = createRequire(join(packageRoot, "package.json"));

export function bufBinary(): string {
  return join(dirname(require.resolve("@bufbuild/buf/package.json")), "bin/buf");
}

/** A temp folder holding a protoc-gen-rony-ts launcher; prepend it to PATH. */
export function pluginBinDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "rony-ts-plugins-"));
  const rony = fromSources
    ? `exec "${join(packageRoot, "scripts/protoc-gen-rony-ts.sh")}"`
    : `exec node "${join(packageRoot, "dist/cli/protoc-gen-rony-ts.js")}"`;
  writeFileSync(join(dir, "protoc-gen-rony-ts"), `#!/bin/sh\n${rony}\n`);
  chmodSync(join(dir, "protoc-gen-rony-ts"), 0o755);
  return dir;
}
