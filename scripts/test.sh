#!/usr/bin/env bash
# Runs every test: the engine's suites, the server's HTTP and WebSocket tests against real sockets,
# PostgreSQL and Redis, the JavaScript package's tests (Vitest, through npm), and the end-to-end tests
# in headless Chromium. It installs or starts what those need, then runs `mvn verify` (extra arguments
# go to Maven).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian's Chromium and chromedriver, for the end-to-end tests (nothing downloads a browser of its own).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  echo "test.sh: installing Debian's chromium and chromium-driver" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

# Node.js 20+ and npm: Maven runs `npm ci` and the tests of huddle-js/ and builds examples/react-huddle/.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ! command -v npm >/dev/null || [ "$node_major" -lt 20 ]; then
  echo "test.sh: Node.js 20 or newer with npm is needed for the JavaScript tests (found node ${node_major}, npm $(command -v npm || echo none))" >&2
  exit 1
fi

# PostgreSQL (repository tests) and Redis (the Redis store): started by this machine kind before a
# session; start them here if they are down, so the same script passes on a fresh machine.
if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
if command -v redis-cli >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi

exec mvn verify "$@"
