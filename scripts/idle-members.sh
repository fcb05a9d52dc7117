#!/usr/bin/env bash
# What idle members cost the server (docs/BENCHMARKS.md, "Idle members"): N signed-in users in ROOMS
# rooms, each with one socket that subscribed to its room and joined one session (what a person with the
# page open holds), pinged at the default interval, nobody doing anything. It prints
#   - memory per socket: the server measured after a full GC with every user signed in and a member but
#     no socket open, and again with every socket open and idle: live heap (jcmd GC.class_histogram),
#     direct buffers (the server's jvm_buffer_memory_used_bytes), the JVM's other native memory (NMT),
#     and the classes that grew most;
#   - idle CPU over CPU_S seconds, in % of a core, with its threads' share and wake-ups (/proc).
# The server is started as in production, `java -jar`, whose JVM supervises the server's own child JVM
# (docs/operations.md): the child is measured; the parent's idle CPU is printed apart. Both are pinned to
# SERVER_CPU, the load tool to LOAD_CPU.
#
#   scripts/idle-members.sh [N [ROOMS]]         # default: 1000 sockets in 10 rooms
#
# Environment: PORT [18096]  OUT [target/idle-members]  SERVER_JAVA_OPTS [-Xmx1g]  JOIN_WINDOW_S [N / 500]
#   IDLE_S [15]: the sockets sit idle this long first (each pinged at least once)  CPU_S [30]
#   SERVER_CPU [0]  LOAD_CPU [1]  BUILD [1]: 0 uses the built jars  SERVER_JAR, LOAD_JAR: as in bench-fanout.sh
#   HEAP_DUMP: a file to dump the heap to (live objects) at the end  SERVER_ARGS: more server flags
#   (e.g. --ws-ping-interval-ms 2500: the sessions' interval is 10 s, the pings follow the smaller)
#   WS_IO [empty: off]: io_uring, epoll, nio or auto: the server also serves /ws on Netty with that I/O, on PORT + 1
#   (--ws-port, --ws-io), and the tool's sockets go there (--ws-url); the first line names the transport measured
set -euo pipefail
cd "$(dirname "$0")/.."

N="${1:-1000}"
ROOMS="${2:-10}"
PORT="${PORT:-18096}"
OUT="${OUT:-target/idle-members}"
SERVER_JAVA_OPTS="${SERVER_JAVA_OPTS:--Xmx1g}"
JOIN_WINDOW_S="${JOIN_WINDOW_S:-$(( (N + 499) / 500 ))}"
IDLE_S="${IDLE_S:-15}"
CPU_S="${CPU_S:-30}"
SERVER_CPU="${SERVER_CPU:-0}"
LOAD_CPU="${LOAD_CPU:-1}"
SERVER_JAR="${SERVER_JAR:-huddle-server/target/huddle-server.jar}"
LOAD_JAR="${LOAD_JAR:-huddle-load/target/benchmarks.jar}"
. scripts/floor/common.sh

rm -rf "$OUT/data" "$OUT/open" "$OUT/done"
# shellcheck disable=SC2086 # SERVER_JAVA_OPTS is a list of options
taskset -c "$SERVER_CPU" java -XX:NativeMemoryTracking=summary $SERVER_JAVA_OPTS \
  -jar "$SERVER_JAR" --port "$PORT" --data-dir "$OUT/data" \
  --guest-sign-ins-per-address-per-minute 100000 --guest-sign-ins-per-minute 10000000 \
  --ws-max-connections-per-address 1000000 --ws-max-subscriptions-per-address 10000000 "${ws_server_args[@]}" ${SERVER_ARGS:-} >"$OUT/server.log" 2>&1 &
server=$!
wait_healthy "$OUT/server.log"
parent=$server
child=$(pgrep -P "$parent" -f huddle.supervised)

taskset -c "$LOAD_CPU" java -Xmx3g -XX:+UseParallelGC -cp "$LOAD_JAR" dev.huddle.load.LoadTool --server "http://localhost:$PORT/" "${ws_tool_args[@]}" \
  --users "$N" --rooms "$ROOMS" --speakers-per-room 0 --join-window-s "$JOIN_WINDOW_S" --connect-parallelism 16 \
  --settle-s 120 --open-when-file "$OUT/open" --idle-until-file "$OUT/done" --duration-s 0 >"$OUT/load.log" 2>&1 &
load=$!
wait_line() { # wait_line TEXT: until the load tool printed TEXT
  until grep -q "$1" "$OUT/load.log"; do
    kill -0 "$load" 2>/dev/null || { tail -20 "$OUT/load.log" >&2; exit 1; }
    sleep 1
  done
}

# memory LABEL: heap histogram (after the full GC it runs), NMT summary, direct buffer bytes
memory() {
  jcmd "$child" GC.class_histogram >"$OUT/histo-$1.txt"
  jcmd "$child" VM.native_memory summary >"$OUT/nmt-$1.txt"
  curl -sf "http://localhost:$PORT/metrics" | awk '/^jvm_buffer_memory_used_bytes.*id="direct"/ {print $2}' >"$OUT/direct-$1.txt"
}
heap() { awk '/^Total/ {print $3}' "$OUT/histo-$1.txt"; }
direct() { awk '{printf "%.0f", $1}' "$OUT/direct-$1.txt"; }
# committed KB of NMT's total minus the Java heap's (direct buffers are in "Other")
native() { awk 'function kb() {match($0, /committed=[0-9]+/); return substr($0, RSTART + 10, RLENGTH - 10) + 0}
  /^Total:/ {t = kb()} /- +Java Heap / {h = kb()} END {print t - h}' "$OUT/nmt-$1.txt"; }
# CPU time is read from the scheduler's own clock, in nanoseconds, not from the tick counts of /proc/*/stat: this
# kernel charges a whole tick (4 ms) to whichever thread runs when a tick fires, and a thread that wakes an idle
# core is often the one running at the tick that follows, so a timer waking 4 times a second was charged 2 ms/s
# of CPU for about 0.02 ms/s of work. Both figures below are in hundredths of a second.
# threads FILE: per thread "tid name cs switches" (time on a CPU; voluntary + involuntary context switches)
threads() {
  for t in /proc/"$child"/task/*; do
    awk -v tid="${t##*/}" -v name="$(tr ' ' '_' <"$t/comm" | tr -d '0-9')" 'NR == FNR {cs = $1 / 1e7; next}
      /ctxt_switches/ {s += $2} END {print tid, name, cs, s}' "$t/schedstat" "$t/status" 2>/dev/null || true
  done >"$1"
}

wait_line "no socket open"
memory before
touch "$OUT/open"
wait_line " idle: "
sleep "$IDLE_S"
threads "$OUT/threads-0.txt"
# the process's CPU clock (every thread's time on a CPU, ended threads' included), in hundredths of a second
cpu() { python3 -c 'import sys, time; p = int(sys.argv[1]); print(time.clock_gettime_ns((~p << 3) | 2) / 1e7)' "$1"; }
t0=$(cpu "$child"); p0=$(cpu "$parent")
sleep "$CPU_S"
t1=$(cpu "$child"); p1=$(cpu "$parent")
threads "$OUT/threads-1.txt"
memory after
[ -z "${HEAP_DUMP:-}" ] || jcmd "$child" GC.heap_dump "$(realpath -m "$HEAP_DUMP")" >/dev/null
sockets=$(curl -sf "http://localhost:$PORT/metrics" | awk '/^huddle_ws_sockets / {printf "%d", $2}')
touch "$OUT/done"
wait "$load" || echo "the load tool exited non-zero: $OUT/load.log" >&2
stop_server

echo "== idle members: $N sockets ($sockets open at the end) in $ROOMS rooms, transport: $transport; $(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v n="$N" -v hb="$(heap before)" -v ha="$(heap after)" -v db="$(direct before)" -v da="$(direct after)" \
    -v nb="$(native before)" -v na="$(native after)" 'BEGIN {
  printf "memory per socket: heap %.2f KB + direct %.2f KB = %.2f KB; other native (NMT committed, noisy) %.2f KB\n",
    (ha - hb) / n / 1024, (da - db) / n / 1024, (ha - hb + da - db) / n / 1024, (na - nb - (da - db) / 1024) / n }'
pct() { echo "($2 - $1) / $CPU_S" | bc -l | xargs printf '%.2f'; }
echo "idle cpu over $CPU_S s: $(pct "$t0" "$t1") % of a core (the supervising parent: $(pct "$p0" "$p1") %); by thread (ms of CPU per s, wake-ups per s):"
# per thread name, over the threads alive at the end (a pool thread that ended in the window is not counted)
awk -v w="$CPU_S" 'NR == FNR {t0[$1] = $3; s0[$1] = $4; next} {t[$2] += $3 - t0[$1]; s[$2] += $4 - s0[$1]}
  END {for (k in t) if (t[k] > 0 || s[k] > w) printf "%8.2f %8.1f  %s\n", t[k] * 10 / w, s[k] / w, k}' \
  "$OUT/threads-0.txt" "$OUT/threads-1.txt" | sort -rn | head -12
echo "classes that grew most, bytes per socket (instances per socket):"
awk -v n="$N" 'FNR == NR && $1 ~ /^[0-9]+:$/ {b[$4] = $3; c[$4] = $2; next}
  $1 ~ /^[0-9]+:$/ {d = $3 - b[$4]; if (d > 0) printf "%10.1f  (%5.2f)  %s\n", d / n, ($2 - c[$4]) / n, $4}' \
  "$OUT/histo-before.txt" "$OUT/histo-after.txt" | sort -rn | head -"${TOP:-12}"
