#!/usr/bin/env bash
# The fan-out benchmark (docs/BENCHMARKS.md, "Fan-out"): for each room size N, a fresh server pinned to
# one core runs the one-room fan-out scenario (dev.huddle.load.FanoutTool, pinned to the other core),
# then the kernel's floor for the same N (scripts/floor/fanout-floor.c: one writer thread writing one
# 260-byte frame to each of N loopback sockets, one reader draining them) runs on the same two cores.
# It prints each phase's server CPU per delivered frame as a ratio to that floor.
#
#   scripts/bench-fanout.sh [N ...]          # default: 500 1000 2000 5000
#
# Environment (defaults in brackets): SERVER_CPU [0]  LOAD_CPU [1]  PORT [18095]  OUT [target/fanout]
#   SERVER_JAVA_OPTS [-Xmx768m]  (e.g. add -XX:StartFlightRecording=filename=fanout.jfr,settings=profile)
#   TOGGLES [200]  IDLE_S [20]  BUILD [1]: 0 uses the jars already built
#   SERVER_JAR [huddle-server/target/huddle-server.jar]  LOAD_JAR [huddle-load/target/benchmarks.jar]: for
#   before/after runs in one session, point these at copies of the jars built from the commit before
#   WS_IO [empty: off]: io_uring, epoll, nio or auto: the server also serves /ws on Netty with that I/O, on PORT + 1
#   (--ws-port, --ws-io), and the tool's sockets go there (--ws-url); the summary names the transport measured
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(500 1000 2000 5000)
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
PORT="${PORT:-18095}"
OUT="${OUT:-target/fanout}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xmx768m}"
TOGGLES="${TOGGLES:-200}"
IDLE_S="${IDLE_S:-20}"
SERVER_JAR="${SERVER_JAR:-huddle-server/target/huddle-server.jar}"
LOAD_JAR="${LOAD_JAR:-huddle-load/target/benchmarks.jar}"
. scripts/floor/common.sh

echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/')"
summary="$OUT/summary.txt"
echo "transport: $transport" > "$summary"
printf '%-6s %-7s %10s %10s %9s %8s %9s %9s\n' N phase p50_ms p99_ms us/frame of_sys floor_us ratio >> "$summary"
for n in "${SIZES[@]}"; do
  rm -rf "$OUT/data-$n" "$OUT/gc-$n.log"
  # shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
  taskset -c "$SERVER_CPU" java -XX:+ExitOnOutOfMemoryError $SERVER_JAVA_OPTS -Xlog:gc:file="$OUT/gc-$n.log" \
    -jar "$SERVER_JAR" --port "$PORT" --data-dir "$OUT/data-$n" --ws-room-batch-ms 0 \
    --guest-sign-ins-per-address-per-minute 100000 --guest-sign-ins-per-minute 10000000 \
    --ws-max-connections-per-address 1000000 --ws-max-subscriptions-per-address 10000000 "${ws_server_args[@]}" >"$OUT/server-$n.log" 2>&1 &
  server=$!
  wait_healthy "$OUT/server-$n.log"
  taskset -c "$LOAD_CPU" java -Xmx3g -XX:+UseParallelGC -cp "$LOAD_JAR" dev.huddle.load.FanoutTool \
    --server "http://localhost:$PORT/" "${ws_tool_args[@]}" --members "$n" --toggles "$TOGGLES" --idle-s "$IDLE_S" --server-pid "$server" \
    --server-gc-log "$OUT/gc-$n.log" --report-json "$OUT/fanout-$n.json" | tee "$OUT/fanout-$n.txt" || true
  stop_server
  floor_line=$("$OUT/fanout-floor" "$n" 200 260 "$SERVER_CPU" "$LOAD_CPU")
  echo "$floor_line" | tee -a "$OUT/fanout-$n.txt"
  floor=$(echo "$floor_line" | sed 's/.*us_per_frame=\([0-9.]*\).*/\1/')
  awk -v n="$n" -v f="$floor" '/^phase/ { sub(/\)/, "", $29)
      printf "%-6s %-7s %10s %10s %9.2f %8.2f %9.2f %9.2f\n", n, $2, $9, $12, $26, $29, f, (f > 0 ? $26 / f : 0) }' \
    "$OUT/fanout-$n.txt" >> "$summary"
  grep '^idle' "$OUT/fanout-$n.txt" | sed "s/^/N=$n /" >> "$summary"
done
echo
echo "load average after: $(uptime | sed 's/.*load average: //')" >> "$summary"
cat "$summary"
