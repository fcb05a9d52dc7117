#!/usr/bin/env bash
# The capacity run (docs/capacity.md): NODES server nodes in cluster mode on a Redis Cluster of MASTERS
# masters, both started here (ports of their own, a temporary directory, a PostgreSQL database of its
# own), then USERS WebSocket users over ROOMS rooms driven by the load tool, each room's users and its
# SPEAKERS speakers spread over every node. Three windows, each WINDOW_S long:
#   empty   nodes up, nobody on them;
#   idle    every socket open, nobody toggling (pings and pongs only);
#   active  the same sockets, the speakers toggling (mean gap TOGGLE_MEAN_MS).
# Per node: sockets, CPU (/proc), RSS, live heap after a full GC (jcmd GC.class_histogram), change frames
# sent (huddle_ws_change_frames_total). Per master: INFO commandstats (after CONFIG RESETSTAT), INFO cpu,
# used_memory, sessions held (its deadline sets). Prints one table of per-unit figures, and the load
# tool's toggle latencies (all receivers, and receivers on another node than the speaker).
#
#   scripts/capacity-run.sh                      # USERS=30000 ROOMS=300 SPEAKERS=3 LOAD_PROCS=2
#   USERS=3000 ROOMS=30 LOAD_PROCS=1 scripts/capacity-run.sh   # the scale recorded in docs/capacity.md
#
# Open files are capped at 20 000 per process here (ulimit -Hn, not raisable in the VM), so the users are
# split over LOAD_PROCS load processes, each with its own rooms, all toggling together (--idle-until-file).
# Sign-in, join and socket open run at ~10 users/s on the shared 2-core machine (load 40-90), so 30 000
# spend ~50 min connecting; the run itself is ~3 min after that.
# Needs redis-server/redis-cli 7, PostgreSQL at 127.0.0.1:5432 (user postgres, trust), jcmd, jq, and
# the jars: mvn -q -DskipTests package -pl huddle-server,huddle-load -am
set -euo pipefail
cd "$(dirname "$0")/.."

USERS="${USERS:-30000}"
ROOMS="${ROOMS:-300}"
SPEAKERS="${SPEAKERS:-3}"
TOGGLE_MEAN_MS="${TOGGLE_MEAN_MS:-1500}"
NODES="${NODES:-3}"
MASTERS="${MASTERS:-3}"
LOAD_PROCS="${LOAD_PROCS:-2}"
WINDOW_S="${WINDOW_S:-30}"
PARTITIONS="${PARTITIONS:-16}"
NODE_JAVA="${NODE_JAVA:--Xmx1g -XX:+UseShenandoahGC}"
LOAD_JAVA="${LOAD_JAVA:--Xmx3g -XX:+UseParallelGC}"
JAR="${SERVER_JAR:-huddle-server/target/huddle-server.jar}"
LOAD="${LOAD_JAR:-huddle-load/target/benchmarks.jar}"
for f in "$JAR" "$LOAD"; do
  [ -f "$f" ] || { echo "capacity-run.sh: $f missing; mvn -q -DskipTests package -pl huddle-server,huddle-load -am" >&2; exit 1; }
done
if (( USERS % LOAD_PROCS || ROOMS % LOAD_PROCS )); then
  echo "capacity-run.sh: USERS and ROOMS must divide by LOAD_PROCS ($LOAD_PROCS)" >&2; exit 1
fi

DIR="$(mktemp -d /tmp/capacity.XXXXXX)"
pids=()
mports=()
DB=""
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for p in "${mports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
  [ -z "$DB" ] || psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS $DB" || true
  [ -n "${KEEP:-}" ] && echo "kept $DIR" || rm -rf "$DIR"
}
trap stop INT TERM EXIT

# A port p free with p + 10000 (a cluster node's bus port) free too, away from the ephemeral range.
free_port() {
  python3 -c '
import random, socket
while True:
    p = random.randint(20000, 29999)
    try:
        for q in (p, p + 10000):
            s = socket.socket(); s.bind(("127.0.0.1", q)); s.close()
        print(p); break
    except OSError:
        pass'
}

# --- the Redis Cluster ---------------------------------------------------------------------------
for ((m = 0; m < MASTERS; m++)); do
  p="$(free_port)"
  mkdir -p "$DIR/redis$m"
  redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$DIR/redis$m/nodes.conf" \
    --save '' --appendonly no --dir "$DIR/redis$m" --daemonize yes --pidfile "$DIR/redis$m/redis.pid" \
    --logfile "$DIR/redis$m/redis.log"
  mports+=("$p")
done
for p in "${mports[@]}"; do until redis-cli -p "$p" ping >/dev/null 2>&1; do sleep 0.1; done; done
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${mports[@]}") --cluster-replicas 0 --cluster-yes >"$DIR/cluster-create.log"
for p in "${mports[@]}"; do
  until redis-cli -p "$p" cluster info | grep -q 'cluster_state:ok'; do sleep 0.2; done
done
REDIS_URL="redis-cluster://$(printf '127.0.0.1:%s,' "${mports[@]}")"
REDIS_URL="${REDIS_URL%,}"

# --- PostgreSQL and the nodes --------------------------------------------------------------------
DB="huddle_capacity_${mports[0]}"
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB"
SECRET="$(head -c 32 /dev/urandom | base64)"
nports=()
npids=()
servers=""
for ((i = 0; i < NODES; i++)); do
  port="$(free_port)"
  # -XX:+ExitOnOutOfMemoryError: the server runs in this JVM, not a supervised child, so $! is what we measure
  # shellcheck disable=SC2086
  HUDDLE_GUEST_SECRET="$SECRET" HUDDLE_REDIS_URL="$REDIS_URL" HUDDLE_REDIS_PREFIX="cap:" \
  HUDDLE_REDIS_PARTITIONS="$PARTITIONS" HUDDLE_DB_URL="jdbc:postgresql://127.0.0.1:5432/$DB" HUDDLE_DB_USER=postgres \
    java $NODE_JAVA -XX:+ExitOnOutOfMemoryError -jar "$JAR" --host 127.0.0.1 --port "$port" --data-dir "$DIR/node$i" \
    --guest-sign-ins-per-address-per-minute 100000 --guest-sign-ins-per-minute 10000000 \
    --ws-max-connections-per-address 1000000 --ws-max-subscriptions-per-address 10000000 >"$DIR/node$i.log" 2>&1 &
  pids+=("$!"); npids+=("$!"); nports+=("$port")
  servers="${servers}http://127.0.0.1:$port/,"
  # one at a time: three JVMs starting together on a busy 2-core machine overran Lettuce's 2 s connect timeout
  until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
    kill -0 "${npids[$i]}" 2>/dev/null || { tail -5 "$DIR/node$i.log"; exit 1; }
    sleep 0.5
  done
done
servers="${servers%,}"
echo "$(date -u +%T) redis cluster ${mports[*]}, nodes ${nports[*]}, load average $(cut -d' ' -f1-3 /proc/loadavg)"

# --- sampling ------------------------------------------------------------------------------------
metric() { curl -sf "http://127.0.0.1:$1/metrics" | awk -v n="$2" '$1 == n {printf "%.0f", $2; f = 1} END {if (!f) printf "0"}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }   # utime + stime, 100 per second
rcpu() { redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(user|sys):/ {s += $2} END {printf "%.6f", s}'; }
rmem() { redis-cli -p "$1" info memory | tr -d '\r' | sed -n 's/^used_memory:\([0-9]*\)$/\1/p'; }
# sessions this master holds: the entries of its rooms' session hashes (held under a node lease or not)
rsessions() {
  local n=0 k
  for k in $(redis-cli -p "$1" --scan --pattern 'cap:*}:ses:*'); do n=$((n + $(redis-cli -p "$1" hlen "$k"))); done
  echo "$n"
}
live_heap_kb() { jcmd "$1" GC.class_histogram 2>/dev/null | awk '/^Total/ {printf "%.0f", $3 / 1024}'; }
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# window LABEL: WINDOW_S seconds; writes $DIR/LABEL.tsv, one line per node and per master
window() {
  local label="$1" out="$DIR/$1.tsv" i p
  for p in "${mports[@]}"; do redis-cli -p "$p" config resetstat >/dev/null; done
  local t0 c0=() f0=() r0=() l0=0
  t0="$(date +%s.%N)"
  for ((i = 0; i < NODES; i++)); do c0+=("$(ticks "${npids[$i]}")"); f0+=("$(metric "${nports[$i]}" huddle_ws_change_frames_total)"); done
  for p in "${mports[@]}"; do r0+=("$(rcpu "$p")"); done
  for pid in "${lpids[@]}"; do l0=$((l0 + $(ticks "$pid"))); done
  sleep "$WINDOW_S"
  local t1 l1=0
  t1="$(date +%s.%N)"
  local w; w="$(echo "$t1 - $t0" | bc -l)"
  : >"$out"
  for ((i = 0; i < NODES; i++)); do
    local c1 f1
    c1="$(ticks "${npids[$i]}")"; f1="$(metric "${nports[$i]}" huddle_ws_change_frames_total)"
    printf 'node\t%d\t%s\t%s\t%s\t%s\n' "$i" "$(metric "${nports[$i]}" huddle_ws_sockets)" \
      "$(echo "($c1 - ${c0[$i]}) * 10 / $w" | bc -l)" "$(echo "($f1 - ${f0[$i]}) / $w" | bc -l)" \
      "$(rss_kb "${npids[$i]}")" >>"$out"
  done
  for pid in "${lpids[@]}"; do l1=$((l1 + $(ticks "$pid"))); done
  printf 'load\t%s\n' "$(echo "($l1 - $l0) * 10 / $w" | bc -l)" >>"$out"
  for ((m = 0; m < MASTERS; m++)); do
    p="${mports[$m]}"
    local r1 stats
    r1="$(rcpu "$p")"
    stats="$(redis-cli -p "$p" info commandstats | tr -d '\r' | awk -F'[:=,]' '/^cmdstat_/ {c += $3; u += $5;
      if ($1 == "cmdstat_evalsha") e += $3} END {printf "%d\t%d\t%d", c, u, e}')"
    printf 'master\t%d\t%s\t%s\t%s\t%s\t%s\n' "$m" "$stats" "$(echo "($r1 - ${r0[$m]}) * 1000 / $w" | bc -l)" \
      "$(rmem "$p")" "$(rsessions "$p")" >>"$out"
  done
  printf 'window\t%s\n' "$w" >>"$out"
  # live heap last: a full GC on each node, outside the window it would disturb
  for ((i = 0; i < NODES; i++)); do printf 'heap\t%d\t%s\n' "$i" "$(live_heap_kb "${npids[$i]}")" >>"$out"; done
  echo "$(date -u +%T) window $label done (${w%.*} s), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}

lpids=()
sleep 5
window empty

# --- the load ------------------------------------------------------------------------------------
GO="$DIR/go"
for ((j = 0; j < LOAD_PROCS; j++)); do
  # shellcheck disable=SC2086
  java $LOAD_JAVA -cp "$LOAD" dev.huddle.load.LoadTool --server "$servers" --users $((USERS / LOAD_PROCS)) \
    --rooms $((ROOMS / LOAD_PROCS)) --speakers-per-room "$SPEAKERS" --toggle-mean-ms "$TOGGLE_MEAN_MS" \
    --interval-ms 10000 --idle-until-file "$GO" --duration-s $((WINDOW_S + 20)) --connect-parallelism "${PARALLELISM:-16}" \
    --settle-s 60 --seed $((j + 1)) --report-json "$DIR/load$j.json" >"$DIR/load$j.log" 2>&1 &
  pids+=("$!"); lpids+=("$!")
done
for ((j = 0; j < LOAD_PROCS; j++)); do
  until grep -q ' idle: ' "$DIR/load$j.log"; do
    kill -0 "${lpids[$j]}" 2>/dev/null || { tail -20 "$DIR/load$j.log"; exit 1; }
    sleep 2
  done
done
echo "$(date -u +%T) all $USERS sockets open"
sleep 15   # the connect burst's renewals and GC settle; every socket has pinged since
window idle

touch "$GO"
sleep 10   # past the first toggles' joins of the flag pacing
window active
for pid in "${lpids[@]}"; do wait "$pid" || echo "a load process exited non-zero (see its summary)"; done

# --- the table -----------------------------------------------------------------------------------
field() { awk -v k="$2" -v i="$3" -v c="$4" -F'\t' '$1 == k && $2 == i {print $c}' "$DIR/$1.tsv"; }
W_IDLE="$(awk -F'\t' '$1 == "window" {print $2}' "$DIR/idle.tsv")"
echo
echo "== capacity run: $NODES nodes, Redis Cluster of $MASTERS masters, $USERS sockets in $ROOMS rooms," \
  "$SPEAKERS speakers per room toggling every $TOGGLE_MEAN_MS ms on average; windows of $WINDOW_S s; $(date -u '+%F %T') UTC"
printf '%-6s %8s %10s %12s %12s %14s %12s %12s %12s\n' node sockets "heap/sock" "RSS/sock" "CPU empty" "CPU/1k idle" "CPU active" "frames/s" "us/frame"
for ((i = 0; i < NODES; i++)); do
  s="$(field idle node "$i" 3)"
  awk -v i="$i" -v s="$s" -v he="$(field empty heap "$i" 3)" -v hi="$(field idle heap "$i" 3)" \
      -v re="$(field empty node "$i" 6)" -v ri="$(field idle node "$i" 6)" \
      -v ce="$(field empty node "$i" 4)" -v ci="$(field idle node "$i" 4)" -v ca="$(field active node "$i" 4)" \
      -v fa="$(field active node "$i" 5)" -v fi="$(field idle node "$i" 5)" 'BEGIN {
    printf "%-6d %8d %9.1fK %11.1fK %9.1fms/s %11.1fms/s %9.1fms/s %12.0f %12.1f\n", i, s, (hi - he) / s, (ri - re) / s,
      ce, (ci - ce) / s * 1000, ca, fa, ((fa - fi) > 0 ? (ca - ci) * 1000 / (fa - fi) : 0) }'
done
printf '%-6s %10s %10s %10s %12s %12s %10s %12s %12s\n' master sessions "ops/s e" "ops/s idle" "ops/s active" "evalsha/s i" "cmd us/s i" "CPU ms/s e/i/a" "B/session"
for ((m = 0; m < MASTERS; m++)); do
  awk -v m="$m" -v w="$W_IDLE" -v we="$(awk -F'\t' '$1 == "window" {print $2}' "$DIR/empty.tsv")" \
      -v wa="$(awk -F'\t' '$1 == "window" {print $2}' "$DIR/active.tsv")" \
      -v se="$(field idle master "$m" 8)" -v ce="$(field empty master "$m" 3)" -v ci="$(field idle master "$m" 3)" \
      -v ca="$(field active master "$m" 3)" -v ei="$(field idle master "$m" 5)" -v ui="$(field idle master "$m" 4)" \
      -v pe="$(field empty master "$m" 6)" -v pi="$(field idle master "$m" 6)" -v pa="$(field active master "$m" 6)" \
      -v me="$(field empty master "$m" 7)" -v mi="$(field idle master "$m" 7)" 'BEGIN {
    printf "%-6d %10d %10.1f %10.1f %12.1f %12.2f %10.0f %5.1f/%.1f/%.1f %12.0f\n", m, se, ce / we, ci / w, ca / wa, ei / w, ui / w,
      pe, pi, pa, (se > 0 ? (mi - me) / se : 0) }'
done
printf 'load tool CPU: idle %.0f ms/s, active %.0f ms/s (it shares the 2 cores)\n' \
  "$(awk -F'\t' '$1 == "load" {print $2}' "$DIR/idle.tsv")" "$(awk -F'\t' '$1 == "load" {print $2}' "$DIR/active.tsv")"
for ((j = 0; j < LOAD_PROCS; j++)); do
  jq -r --arg j "$j" '"load \($j): sessions \(.sessionsConnected)/\(.users), toggles \(.togglesSent), delivered \(.changesDelivered); toggle p50 \(.p50Ms) p99 \(.p99Ms) max \(.maxMs) ms; across nodes: \(.acrossNodes.samples) samples p50 \(.acrossNodes.p50Ms) p99 \(.acrossNodes.p99Ms) max \(.acrossNodes.maxMs) ms; errors \(.errors) \(.errorCodes); lists exact \(.consistency.clientsExact)/\(.consistency.clientsChecked)"' \
    "$DIR/load$j.json" 2>/dev/null || { echo "load $j: no report"; tail -5 "$DIR/load$j.log"; }
done
echo "raw samples: $DIR/{empty,idle,active}.tsv (KEEP=1 keeps them)"
