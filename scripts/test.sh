#!/usr/bin/env bash
# Runs every test: the engine's suites, the server's HTTP and WebSocket tests against real sockets,
# PostgreSQL and Redis, the JavaScript package's tests (Vitest, through npm), and the end-to-end tests
# in headless Chromium. It installs or starts what those need and stops, loudly, when it cannot; then
# runs `mvn verify` (extra arguments go to Maven) and ends with a summary.
#
# Every dependency is required. Only an explicit opt-out skips one: HUDDLE_TEST_SKIP lists any of
# postgres, redis, chromium (comma-separated); those tests are reported as skipped, and the summary
# at the end says so. HUDDLE_TEST_PG_URL / HUDDLE_TEST_REDIS_URL point the tests at another server
# (this script then checks that one and starts nothing).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
fail() { echo "test.sh: $*" >&2; exit 1; }
apt_install() {
  echo "test.sh: installing Debian's $*" >&2
  as_root apt-get update -qq || fail "apt-get update failed; install $* by hand or skip with HUDDLE_TEST_SKIP"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
    || fail "cannot install $*; install it by hand or skip with HUDDLE_TEST_SKIP"
}

# The opt-outs, checked here so that a typo stops the run instead of skipping nothing.
skip=",$(echo "${HUDDLE_TEST_SKIP:-}" | tr 'A-Z ' 'a-z,' | tr -s ','),"
for name in $(echo "$skip" | tr ',' ' '); do
  case "$name" in postgres|redis|chromium) ;; *) fail "HUDDLE_TEST_SKIP lists '$name'; the names are postgres, redis, chromium" ;; esac
done
skipping() { [[ "$skip" == *",$1,"* ]]; }

# Node.js 20+ and npm: Maven runs `npm ci` and the tests of huddle-js/ and builds examples/react-huddle/.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ! command -v npm >/dev/null || [ "$node_major" -lt 20 ]; then
  fail "Node.js 20 or newer with npm is needed for the JavaScript tests (found node ${node_major}, npm $(command -v npm || echo none))"
fi

# Debian's Chromium and chromedriver, for the end-to-end tests (nothing downloads a browser of its own).
if ! skipping chromium; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  chromium --version >/dev/null 2>&1 \
    || fail "Chromium is installed but does not run (chromium --version failed); fix it or skip with HUDDLE_TEST_SKIP=chromium"
fi

# PostgreSQL (repository and cluster tests): 127.0.0.1:5432 with trust auth, unless HUDDLE_TEST_PG_URL
# names another server. The local one is started (and installed) when it is down.
if ! skipping postgres; then
  pg_url=${HUDDLE_TEST_PG_URL:-jdbc:postgresql://127.0.0.1:5432/postgres}
  pg_hostport=${pg_url#jdbc:postgresql://}; pg_hostport=${pg_hostport%%/*}
  pg_host=${pg_hostport%%:*}; pg_port=5432
  [[ "$pg_hostport" == *:* ]] && pg_port=${pg_hostport##*:}
  command -v pg_isready >/dev/null || apt_install postgresql
  if ! pg_isready -h "$pg_host" -p "$pg_port" -q; then
    if [ -z "${HUDDLE_TEST_PG_URL:-}" ]; then
      cluster=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
      [ -n "$cluster" ] || fail "PostgreSQL is installed but has no cluster under /etc/postgresql; create one (pg_createcluster) or skip with HUDDLE_TEST_SKIP=postgres"
      echo "test.sh: starting PostgreSQL $cluster" >&2
      as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main start \
        || fail "cannot start PostgreSQL $cluster (pg_ctlcluster failed; see /var/log/postgresql/); fix it or skip with HUDDLE_TEST_SKIP=postgres"
      for _ in $(seq 50); do pg_isready -h "$pg_host" -p "$pg_port" -q && break; sleep 0.2; done
    fi
    pg_isready -h "$pg_host" -p "$pg_port" -q \
      || fail "PostgreSQL cannot be reached at $pg_host:$pg_port ($pg_url). Start it, point HUDDLE_TEST_PG_URL at one, or skip with HUDDLE_TEST_SKIP=postgres"
  fi
fi

# Redis (the Redis store and cluster mode): the shared one at 127.0.0.1:6379 unless HUDDLE_TEST_REDIS_URL
# names another, and redis-server on the PATH for the tests' private servers and Redis Cluster.
if ! skipping redis; then
  redis_url=${HUDDLE_TEST_REDIS_URL:-redis://127.0.0.1:6379}
  redis_hostport=${redis_url#redis://}; redis_hostport=${redis_hostport##*@}; redis_hostport=${redis_hostport%%/*}
  redis_host=${redis_hostport%%:*}; redis_port=6379
  [[ "$redis_hostport" == *:* ]] && redis_port=${redis_hostport##*:}
  { command -v redis-server >/dev/null && command -v redis-cli >/dev/null; } || apt_install redis-server
  if ! redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1; then
    if [ -z "${HUDDLE_TEST_REDIS_URL:-}" ]; then
      echo "test.sh: starting Redis on $redis_host:$redis_port" >&2
      as_root mkdir -p /var/lib/redis /var/log/redis
      as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$redis_port" --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log \
        || fail "cannot start redis-server (see /var/log/redis/ci.log); fix it or skip with HUDDLE_TEST_SKIP=redis"
      for _ in $(seq 50); do redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.2; done
    fi
    redis-cli -h "$redis_host" -p "$redis_port" ping >/dev/null 2>&1 \
      || fail "Redis cannot be reached at $redis_host:$redis_port ($redis_url). Start it, point HUDDLE_TEST_REDIS_URL at one, or skip with HUDDLE_TEST_SKIP=redis"
  fi
fi

status=0
export HUDDLE_TEST_SKIP_LOG; HUDDLE_TEST_SKIP_LOG=$(mktemp); trap 'rm -f "$HUDDLE_TEST_SKIP_LOG"' EXIT
mvn verify "$@" || status=$?

# The summary: what an opt-out left out, by dependency and test class (noted by the tests themselves).
if [ "$skip" != ",," ]; then
  echo "test.sh: SKIPPED by HUDDLE_TEST_SKIP=${HUDDLE_TEST_SKIP}; this was not a full run. Test classes that did not run:" >&2
  if [ -s "$HUDDLE_TEST_SKIP_LOG" ]; then
    sort -u "$HUDDLE_TEST_SKIP_LOG" | awk '{n[$1]++; c[$1] = c[$1] " " $2} END {for (d in n) printf "  %s (%d):%s\n", d, n[d], c[d]}' >&2
  else
    echo "  none" >&2
  fi
fi
[ "$status" = 0 ] || echo "test.sh: mvn verify failed (exit $status)." >&2
exit "$status"
