#!/usr/bin/env bash
# What the WebSocket transport alone costs per delivered frame (docs/BENCHMARKS.md, "Fan-out"): for each
# room size N, the kernel's floor (scripts/floor/fanout-floor.c), then bare prototype servers of /ws
# (dev.huddle.load.proto: Jetty 12's core WebSocket with a heap or a direct payload, Netty 4.2 with one
# shared, retained direct buffer per event), each pinned to one core and driven from the other by
# dev.huddle.load.proto.TransportDriver (events one at a time, each after every socket saw the last), then
# the floor again; with REAL=1 also the real server's toggle phase (scripts/bench-fanout.sh). Prints each
# run's server CPU per delivered frame and its ratio to the mean of the two floors of the same N.
#
#   scripts/bench-transport.sh [N ...]          # default: 500 1000 2000
#
# Environment (defaults in brackets): SERVER_CPU [0]  LOAD_CPU [1]  PORT [18097]  OUT [target/transport]
#   TRANSPORTS [jetty jetty-direct netty]  (also: jetty-raw netty-uring netty-nio)
#   PASSES [2]: each pass runs the transports, every other pass in reverse order  EVENTS [400]  WARMUP [200]
#   REAL [0]  BUILD [1]: 0 uses the jars built  LOAD_JAR [huddle-load/target/benchmarks.jar]
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(500 1000 2000)
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
PORT="${PORT:-18097}"
OUT="${OUT:-target/transport}"
read -r -a TRANSPORTS <<< "${TRANSPORTS:-jetty jetty-direct netty}"
PASSES="${PASSES:-2}"
EVENTS="${EVENTS:-400}"
WARMUP="${WARMUP:-200}"
JAR="${LOAD_JAR:-huddle-load/target/benchmarks.jar}"
. scripts/floor/common.sh

floor() { # prints the floor's µs per frame for N=$1
  "$OUT/fanout-floor" "$1" 200 260 "$SERVER_CPU" "$LOAD_CPU" | tee -a "$OUT/runs.txt" | sed 's/.*us_per_frame=\([0-9.]*\).*/\1/'
}

prototype() { # one run of transport $1 at N=$2, appended to runs.txt
  taskset -c "$SERVER_CPU" java -Xmx512m -cp "$JAR" dev.huddle.load.proto.TransportServer "$1" "$PORT" >"$OUT/server-$1-$2.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    grep -q listening "$OUT/server-$1-$2.log" && break
    kill -0 "$server" 2>/dev/null || { echo "the $1 server did not start: $OUT/server-$1-$2.log" >&2; exit 1; }
    sleep 0.1
  done
  taskset -c "$LOAD_CPU" java -Xmx2g -XX:+UseParallelGC -cp "$JAR" dev.huddle.load.proto.TransportDriver \
    "$1" "$PORT" "$server" "$2" "$EVENTS" "$WARMUP" | tee -a "$OUT/runs.txt"
  stop_server
}

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')" | tee "$OUT/runs.txt"
summary="$OUT/summary.txt"
printf '%-6s %-13s %5s %9s %8s %9s %8s\n' N transport runs us/frame of_sys floor_us ratio > "$summary"
for n in "${SIZES[@]}"; do
  f1=$(floor "$n")
  if [ "${REAL:-0}" = 1 ]; then
    OUT="$OUT/real" BUILD=0 IDLE_S=1 PORT=$((PORT + 1)) SERVER_CPU="$SERVER_CPU" LOAD_CPU="$LOAD_CPU" \
      scripts/bench-fanout.sh "$n" >/dev/null
    awk -v n="$n" '$1 == n && $2 == "toggle" { printf "transport=real-server n=%s events=200 us_per_frame=%s sys_us_per_frame=%s\n", n, $5, $6 }' \
      "$OUT/real/summary.txt" | tee -a "$OUT/runs.txt"
  fi
  for pass in $(seq 1 "$PASSES"); do
    order=("${TRANSPORTS[@]}")
    if [ $((pass % 2)) = 0 ]; then
      order=(); for ((i = ${#TRANSPORTS[@]} - 1; i >= 0; i--)); do order+=("${TRANSPORTS[$i]}"); done
    fi
    for t in "${order[@]}"; do prototype "$t" "$n"; done
  done
  f2=$(floor "$n")
  awk -v n="$n" -v f="$(echo "$f1 $f2" | awk '{ print ($1 + $2) / 2 }')" '
    /^transport=/ { split($0, kv, /[ =]/); t = kv[2]; if (kv[4] != n) next
      for (i = 1; i in kv; i++) { if (kv[i] == "us_per_frame") us[t] += kv[i + 1]; if (kv[i] == "sys_us_per_frame") sys[t] += kv[i + 1] }
      runs[t]++; if (!(t in seen)) { seen[t] = 1; order[++k] = t } }
    END { for (j = 1; j <= k; j++) { t = order[j]
      printf "%-6s %-13s %5d %9.2f %8.2f %9.2f %8.2f\n", n, t, runs[t], us[t] / runs[t], sys[t] / runs[t], f, us[t] / runs[t] / f } }' \
    "$OUT/runs.txt" >> "$summary"
done
echo "floors: $(grep -c '^floor' "$OUT/runs.txt") runs; load average after: $(uptime | sed 's/.*load average: //')" >> "$summary"
cat "$summary"
