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
trap stop EXIT
trap 'exit 143' INT TERM # a signal ends the script (the EXIT trap then cleans up), not just the step it was in

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
  --guest-sign-ins-per-minute 10000000 --ws-max-connections-per-address 1000000 \
  --ws-max-subscriptions-per-address 10000000 > "$DIR/node.log" 2>&1 &
NODE=$!
pids+=("$NODE")
until curl -sf "http://127.0.0.1:$HPORT/health" >/dev/null 2>&1; do
  kill -0 "$NODE" || { cat "$DIR/node.log"; exit 1; }
  sleep 0.5
done

# window LABEL SESSIONS: counts every command Redis ran during WINDOW_S seconds (a script's inner
# commands are counted on their own too, and their time again in the script's), and the CPU used.
window() {
  local label="$1" sessions="$2"
  sleep 5
  R config resetstat >/dev/null
  local rcpu0 ncpu0 rcpu1 ncpu1
  rcpu0="$(redis_cpu)"; ncpu0="$(node_cpu)"
  sleep "$WINDOW_S"
  rcpu1="$(redis_cpu)"; ncpu1="$(node_cpu)"
  local stats
  stats="$(R info commandstats | tr -d '\r')"
  local mem heap rss
  mem="$(R info memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)$/\1/p')"
  jcmd "$NODE" GC.run >/dev/null 2>&1 || true   # heap after a full collection: what the sockets hold
  rss="$(awk '/VmRSS/ {print $2}' "/proc/$NODE/status")"
  heap="$(jcmd "$NODE" GC.heap_info 2>/dev/null | sed -n 's/.*used \([0-9]*\)K.*/\1/p' | head -1)"
  echo "== $label: $sessions sessions, ${WINDOW_S} s window"
  echo "$stats" | awk -v w="$WINDOW_S" -v n="$sessions" -F'[:=,]' '
    /^cmdstat_/ { name = substr($1, 9); calls = $3; usec = $5; total += calls; t += usec;
                  printf "  %-16s %9.2f /s  %8.1f us/s\n", name, calls / w, usec / w }
    END { printf "  total            %9.2f /s  %8.1f us/s", total / w, t / w;
          if (n > 0) printf "   per session: %.4f /s, %.3f us/s", total / w / n, t / w / n; print "" }'
  echo "  redis used_memory ${mem} B; node RSS ${rss} kB; node heap used after a full GC ${heap:-?} kB"
  # a script's inner commands are counted both in its EVALSHA time and on their own: CPU is the real cost
  awk -v a="$rcpu0" -v b="$rcpu1" -v c="$ncpu0" -v d="$ncpu1" -v w="$WINDOW_S" -v n="$sessions" 'BEGIN {
    r = (b - a) * 1e6 / w; printf "  redis CPU %.0f us/s", r; if (n > 0) printf " (%.3f us/s per session)", r / n;
    printf "; node CPU %.1f ms/s\n", (d - c) * 10 / w }'
}

# Redis's CPU seconds (user + sys) and the node's CPU ticks (user + sys, 100 per second)
redis_cpu() { R info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {printf "%.6f", s}'; }
node_cpu() { awk '{print $14 + $15}' "/proc/$NODE/stat"; }

window "empty node" 0

java -Xmx1g -cp "$LOAD" dev.huddle.load.LoadTool --server "http://127.0.0.1:$HPORT/" --users "$USERS" \
  --rooms "$ROOMS" --speakers-per-room 0 --interval-ms "$INTERVAL_MS" --duration-s $((WINDOW_S * 3 + 60)) \
  --connect-parallelism 16 --settle-s 5 --quiet > "$DIR/load.log" 2>&1 &
LOADER=$!
pids+=("$LOADER")
# wait until every user's session is live in Redis (the rooms' sessions hashes hold them); give up when
# the load tool has died or after 5 minutes, saying why, rather than wait for ever
count() { local n=0; for k in $(R --scan --pattern '*}:ses:*'); do n=$((n + $(R hlen "$k"))); done; echo "$n"; }
waited=0
until [ "$(count)" -ge "$USERS" ]; do
  if ! kill -0 "$LOADER" 2>/dev/null || [ "$waited" -ge 300 ]; then
    echo "idle-redis-cost: only $(count) of $USERS sessions live after ${waited} s; the load tool's log:" >&2
    tail -20 "$DIR/load.log" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done
window "idle sockets" "$USERS"
