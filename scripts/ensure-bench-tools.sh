#!/usr/bin/env bash
# What `npm run bench` needs beyond the test services: h2load (load for the h2c peers of the edge
# bench) and etcd (the Raft bench's peer), from Debian's packages when missing. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh

missing=()
command -v h2load >/dev/null 2>&1 || missing+=(nghttp2-client)
[ -x /usr/bin/etcd ] || missing+=(etcd-server)
[ -x /usr/bin/etcdctl ] || missing+=(etcd-client)
command -v cc >/dev/null 2>&1 || missing+=(gcc)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian's ${missing[*]} for the benchmarks"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
