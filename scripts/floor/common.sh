# Sourced by scripts/bench-fanout.sh and scripts/bench-transport.sh, after they set OUT: builds the jars
# (unless BUILD=0) and the floor program, and stops the server they started ($server) however they end.
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
