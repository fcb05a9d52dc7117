#!/usr/bin/env bash
# Measures what idle presence costs Redis (docs/capacity.md): one server node in cluster mode on a
# Redis of its own (started here, on a free port, in a temporary directory), first with nobody on it,
# then with USERS idle WebSocket users in ROOMS rooms (no speakers). Each window: CONFIG RESETSTAT,
# wait WINDOW_S, INFO commandstats; prints commands/s (total and per command), Redis command time and
# used memory, and the node's heap and RSS.
#
#   scripts/idle-redis-cost.sh            # USERS=500 ROOMS=10 WINDOW_S=30
#
# Needs redis-server/redis-cli 7, PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and the jars: mvn -q -DskipTests package -pl huddle-server,huddle-load -am
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-500}"
ROOMS="${ROOMS:-10}"
WINDOW_S="${WINDOW_S:-30}"
INTERVAL_MS="${INTERVAL_MS:-10000}"
JAR="huddle-server/target/huddle-server.jar"
LOAD="huddle-load/target/benchmarks.jar"
for f in "$JAR" "$LOAD"; do
  [ -f "$f" ] || { echo "idle-redis-cost.sh: $f missing; mvn -q -DskipTests package -pl huddle-server,huddle-load -am" >&2; exit 1; }
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
DIR="$(mktemp -d)"
RPORT="$(free_port)"
HPORT="$(free_port)"
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  redis-cli -p "$RPORT" shutdown nosave >/dev/null 2>&1 || true
  [ -z "${DB:-}" ] || psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" || true
  rm -rf "$DIR"
}
trap stop INT TERM EXIT

redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DIR" --daemonize yes \
  --pidfile "$DIR/redis.pid" --logfile "$DIR/redis.log"
until redis-cli -p "$RPORT" ping >/dev/null 2>&1; do sleep 0.1; done
R() { redis-cli -p "$RPORT" "$@"; }

# cluster mode needs PostgreSQL (a database of its own, dropped afterwards) and a shared guest secret
DB="huddle_idle_cost_$RPORT"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB"
HUDDLE_GUEST_SECRET="$(head -c 32 /dev/urandom | base64)" \
java -Xmx768m -XX:+ExitOnOutOfMemoryError -jar "$JAR" --port "$HPORT" --data-dir "$DIR/node" \
  --redis-url "redis://127.0.0.1:$RPORT" --db-url "jdbc:postgresql://127.0.0.1:5432/$DB" --db-user postgres --guest-sign-ins-per-address-per-minute 100000 \
  --guest-sign-ins-per-minute 10000000 > "$DIR/node.log" 2>&1 &
NODE=$!
pids+=("$NODE")
until curl -sf "http://127.0.0.1:$HPORT/health" >/dev/null 2>&1; do
  kill -0 "$NODE" || { cat "$DIR/node.log"; exit 1; }
  sleep 0.5
done

# window LABEL SESSIONS: counts every command Redis ran during WINDOW_S seconds.
window() {
  local label="$1" sessions="$2"
  sleep 5
  R config resetstat >/dev/null
  sleep "$WINDOW_S"
  local stats
  stats="$(R info commandstats | tr -d '\r')"
  local mem heap rss
  mem="$(R info memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)$/\1/p')"
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$NODE/status")"
  heap="$(jcmd "$NODE" GC.heap_info 2>/dev/null | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1)"
  echo "== $label: $sessions sessions, ${WINDOW_S} s window"
  echo "$stats" | awk -v w="$WINDOW_S" -v n="$sessions" -F'[:=,]' '
    /^cmdstat_/ { name = substr($1, 9); calls = $3; usec = $5; total += calls; t += usec;
                  printf "  %-16s %9.2f /s  %8.1f us/s\n", name, calls / w, usec / w }
    END { printf "  total            %9.2f /s  %8.1f us/s", total / w, t / w;
          if (n > 0) printf "   per session: %.4f /s, %.3f us/s", total / w / n, t / w / n; print "" }'
  echo "  redis used_memory ${mem} B; node RSS ${rss} kB; node heap used ${heap:-?} kB"
}

window "empty node" 0

java -Xmx1g -cp "$LOAD" dev.huddle.load.LoadTool --server "http://127.0.0.1:$HPORT/" --users "$USERS" \
  --rooms "$ROOMS" --speakers-per-room 0 --interval-ms "$INTERVAL_MS" --duration-s $((WINDOW_S * 3 + 60)) \
  --connect-parallelism 16 --settle-s 5 --quiet > "$DIR/load.log" 2>&1 &
pids+=("$!")
# wait until every user's session is live in Redis (the partitions' deadline sets hold them)
count() { local n=0; for k in $(R --scan --pattern '*}:dl'); do n=$((n + $(R zcard "$k"))); done; echo "$n"; }
until [ "$(count)" -ge "$USERS" ]; do sleep 1; done
window "idle sockets" "$USERS"
