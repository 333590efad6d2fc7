#!/usr/bin/env bash
# Starts what the tests need when it is not running: Redis on 6379, MariaDB on 3306, and installs
# Debian's chromium for the browser test and Debian's protoc + python3-protobuf for the
# cross-language test (test/cross-language). Idempotent; prints only what it had to do.
set -euo pipefail

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting redis-server on 127.0.0.1:6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
fi

if ! mysqladmin -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1; then
  echo "starting mariadbd on 127.0.0.1:3306"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
  for _ in $(seq 1 60); do mysqladmin -h 127.0.0.1 -P 3306 -uroot ping >/dev/null 2>&1 && break; sleep 0.5; done
  mysql -h 127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS test"
fi

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium for the browser test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if ! command -v protoc >/dev/null 2>&1 || ! /usr/bin/python3 -c "import google.protobuf" >/dev/null 2>&1; then
  echo "installing Debian's protobuf-compiler and python3-protobuf for the cross-language test"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler python3-protobuf >/dev/null
fi
