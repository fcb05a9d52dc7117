# Sourced by scripts/bench-fanout.sh, scripts/bench-transport.sh and scripts/idle-members.sh, after they set OUT
# and PORT: builds the jars (unless BUILD=0) and the floor program, waits for the server they started ($server) to
# answer (wait_healthy LOG), and stops it however they end. With WS_IO set (io_uring, epoll, nio or auto), the
# server's flags in ws_server_args serve /ws on Netty too, on PORT + 1, and the load tool's in ws_tool_args send its
# sockets there; $transport names what is measured (jetty, or netty-$WS_IO).
ws_server_args=()
ws_tool_args=()
transport=jetty
if [ -n "${WS_IO:-}" ]; then
  case "$WS_IO" in
    io_uring | epoll | nio | auto) ;;
    *) echo "WS_IO is one of io_uring, epoll, nio, auto (or empty), not $WS_IO" >&2; exit 1 ;;
  esac
  ws_server_args=(--ws-port "$((PORT + 1))" --ws-io "$WS_IO")
  ws_tool_args=(--ws-url "ws://localhost:$((PORT + 1))/ws")
  transport="netty-$WS_IO"
fi
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

# wait_healthy LOG: until the server on $PORT answers /health (and, with WS_IO, accepts on PORT + 1); fails, naming
# LOG, if it exits first or takes 60 s
wait_healthy() {
  for _ in $(seq 1 600); do
    curl -sf "http://localhost:$PORT/health" >/dev/null \
      && { [ -z "${WS_IO:-}" ] || (exec 3<>"/dev/tcp/localhost/$((PORT + 1))") 2>/dev/null; } && return 0
    kill -0 "$server" 2>/dev/null || { echo "the server did not start: $1" >&2; exit 1; }
    sleep 0.1
  done
  echo "the server did not answer within 60 s: $1" >&2
  exit 1
}
