#!/usr/bin/env bash
# Generates sixteen folders of Google's published API protos (npm google-proto-files, imports and
# well-known types included) with the project's buf.gen.yaml and type-checks what comes out with
# the project's tsconfig (strict). Any proto a user may bring must generate: streaming rpcs,
# google.api annotations, long-running operations (issue 16). `npm run check:googleapis`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"
root=node_modules/google-proto-files
out=.googleapis-tmp
folders=(pubsub/v1 spanner/v1 firestore/v1 storage/v2 bigtable/v2 logging/v2 monitoring/v3 longrunning iam/v1
  cloud/tasks/v2 cloud/kms/v1 datastore/v1 cloud/speech/v1 cloud/vision/v1 cloud/bigquery/storage/v1 cloud/run/v2)
rm -rf "$out"
mkdir -p "$out"
paths=()
for f in "${folders[@]}"; do paths+=(--path "$root/google/$f"); done
if ! buf generate "$root" --template buf.gen.yaml "${paths[@]}" -o "$out"; then
  # Say which folders fail, one by one.
  for f in "${folders[@]}"; do
    buf generate "$root" --template buf.gen.yaml --path "$root/google/$f" -o "$out/one" > /dev/null 2>&1 || echo "check:googleapis: google/$f does not generate" >&2
  done
  exit 1
fi
# Inside the package, so generated imports of rony-ts/runtime resolve to this checkout.
cat > "$out/tsconfig.json" <<'JSON'
{ "extends": "../tsconfig.json", "include": ["**/*.ts"], "exclude": [] }
JSON
tsc -p "$out/tsconfig.json"
for f in "${folders[@]}"; do
  n=$(find "$out/generated/google/$f" -maxdepth 1 -name '*.ts' | wc -l)
  [ "$n" -gt 0 ] || { echo "check:googleapis: nothing generated for google/$f" >&2; exit 1; }
done
echo "check:googleapis: ${#folders[@]} folders generated and type-checked ($(find "$out/generated" -name '*.ts' | wc -l) files)"
rm -rf "$out"
