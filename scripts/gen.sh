#!/usr/bin/env bash
# Regenerates everything committed that is generated: generated/ (messages, services, the
# compiler's view of rony/options.proto) and the golden fixtures' ts-proto inputs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
rm -rf generated
buf generate --template buf.gen.options.yaml
buf generate
if [ -f scripts/gen-fixtures.ts ]; then node --conditions=source --import tsx scripts/gen-fixtures.ts; fi
