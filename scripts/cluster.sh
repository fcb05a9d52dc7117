#!/usr/bin/env bash
# Starts N Huddle Presence nodes on one machine in cluster mode, for trying it out: ports
# BASE_PORT…BASE_PORT+N-1, presence shared through one Redis, huddles through one PostgreSQL
# database, one guest-token secret. Ctrl-C stops them all. See docs/operations.md, "Cluster mode".
#
#   scripts/cluster.sh [N]            # default 2 nodes, from port 8081
#
# Environment (defaults in brackets):
#   BASE_PORT [8081]  HUDDLE_REDIS_URL [redis://127.0.0.1:6379]  HUDDLE_REDIS_PREFIX [huddle:]
#   HUDDLE_DB_URL [jdbc:postgresql://127.0.0.1:5432/huddle_cluster]  HUDDLE_DB_USER [postgres]
#   HUDDLE_DB_PASSWORD  CLUSTER_DIR [./cluster-data]  JAR [huddle-server/target/huddle-server.jar]
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-2}"
BASE_PORT="${BASE_PORT:-8081}"
CLUSTER_DIR="${CLUSTER_DIR:-./cluster-data}"
JAR="${JAR:-huddle-server/target/huddle-server.jar}"
export HUDDLE_REDIS_URL="${HUDDLE_REDIS_URL:-redis://127.0.0.1:6379}"
export HUDDLE_REDIS_PREFIX="${HUDDLE_REDIS_PREFIX:-huddle:}"
export HUDDLE_DB_URL="${HUDDLE_DB_URL:-jdbc:postgresql://127.0.0.1:5432/huddle_cluster}"
export HUDDLE_DB_USER="${HUDDLE_DB_USER:-postgres}"

if [ ! -f "$JAR" ]; then
  echo "cluster.sh: $JAR not found; build it first: mvn -q -pl huddle-server -am -DskipTests package" >&2
  exit 1
fi
mkdir -p "$CLUSTER_DIR"

# The default database is created if it does not exist yet (needs psql and a reachable server).
if [[ "$HUDDLE_DB_URL" == jdbc:postgresql://127.0.0.1:5432/huddle_cluster ]] && command -v psql >/dev/null; then
  if ! PGPASSWORD="${HUDDLE_DB_PASSWORD:-}" psql -h 127.0.0.1 -U "$HUDDLE_DB_USER" -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'huddle_cluster'" | grep -q 1; then
    PGPASSWORD="${HUDDLE_DB_PASSWORD:-}" psql -h 127.0.0.1 -U "$HUDDLE_DB_USER" -d postgres -qc "CREATE DATABASE huddle_cluster"
  fi
fi

# One guest-token secret for every node (a guest signed in on one node is accepted by all).
SECRET="$CLUSTER_DIR/guest-token-secret"
if [ -z "${HUDDLE_GUEST_SECRET:-}" ] && [ -z "${HUDDLE_GUEST_SECRET_FILE:-}" ]; then
  if [ ! -f "$SECRET" ]; then
    (umask 077; head -c 32 /dev/urandom | base64 > "$SECRET")
  fi
  export HUDDLE_GUEST_SECRET_FILE="$SECRET"
fi

pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

for ((i = 0; i < N; i++)); do
  port=$((BASE_PORT + i))
  mkdir -p "$CLUSTER_DIR/node$i"
  HUDDLE_PORT="$port" HUDDLE_DATA_DIR="$CLUSTER_DIR/node$i" \
    java -jar "$JAR" > "$CLUSTER_DIR/node$i.log" 2>&1 &
  pids+=("$!")
done

for ((i = 0; i < N; i++)); do
  port=$((BASE_PORT + i))
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1; then break; fi
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      echo "cluster.sh: node $i exited; its log:" >&2
      cat "$CLUSTER_DIR/node$i.log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "node $i: http://localhost:$port/   (log: $CLUSTER_DIR/node$i.log)"
done
echo "$N nodes up, sharing $HUDDLE_REDIS_URL (prefix $HUDDLE_REDIS_PREFIX) and $HUDDLE_DB_URL. Ctrl-C stops them."
wait
