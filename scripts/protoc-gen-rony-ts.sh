#!/usr/bin/env bash
# Runs the plugin from TypeScript sources (in this repository; users get the compiled bin).
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec node --conditions=source --import "file://$here/node_modules/tsx/dist/loader.mjs" "$here/cli/protoc-gen-rony-ts.ts"
