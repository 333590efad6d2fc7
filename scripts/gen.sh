#!/usr/bin/env bash
# Regenerates everything committed that is generated: generated/ (messages, services, the
# compiler's view of rony/options.proto) and the golden outputs in fixtures/ and test/cli/golden/.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
rm -rf generated
buf generate --template buf.gen.options.yaml
buf generate
# Golden outputs of fixtures/ and of the CLI's templates (their tests rewrite them under this switch).
RONY_UPDATE_GOLDENS=1 vitest run fixtures/golden.test.ts test/cli/templates.test.ts --silent > /dev/null
