# Sourced by scripts/bench-fanout.sh, scripts/bench-transport.sh and scripts/idle-members.sh, after they set OUT:
# builds the jars (unless BUILD=0) and the floor program, waits for the server they started ($server) to answer
# (wait_healthy LOG), and stops it however they end.
mkdir -p "$OUT"
if [ "${BUILD:-1}" = 1 ]; then
  mvn -q -DskipTests package -pl huddle-server,huddle-load -am
fi
gcc -O2 -Wall -pthread -o "$OUT/fanout-floor" scripts/floor/fanout-floor.c

server=""
stop_server() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    server=""
  fi
}
trap stop_server EXIT INT TERM

# wait_healthy LOG: until the server on $PORT answers /health; fails, naming LOG, if it exits first or takes 60 s
wait_healthy() {
  for _ in $(seq 1 600); do
    curl -sf "http://localhost:$PORT/health" >/dev/null && return 0
    kill -0 "$server" 2>/dev/null || { echo "the server did not start: $1" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not answer within 60 s: $1" >&2
  exit 1
}
