# Shell functions shared by the start/stop scripts of the test peers (sourced, not run).
# Why one place: every peer is started the same way (detached, logged, PID file, wait until it
# answers IPMI) and stopped the same way (exactly the PID it wrote, never a name match).

PEERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Debian's interpreter: a pyenv shim may come first in PATH and lacks pyghmi.
PEER_PYTHON=/usr/bin/python3

die() { echo "$*" >&2; exit 1; }

# peer_pid PIDFILE: print the PID recorded there if that process is alive; fail otherwise.
peer_pid() {
  local pid
  [ -f "$1" ] || return 1
  pid="$(cat "$1")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

# peer_launch PIDFILE LOG PORT CMD...: start CMD detached (stdin closed, output to LOG), record its
# PID, wait until it answers on 127.0.0.1:PORT, print the PID. On failure the log goes to stderr
# and the process, if still there, is stopped.
peer_launch() {
  local pidfile="$1" log="$2" port="$3" pid rc
  shift 3
  if pid="$(peer_pid "$pidfile")"; then die "already running: pid $pid ($pidfile)"; fi
  nohup "$@" >"$log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pidfile"
  rc=0
  "$PEER_PYTHON" "$PEERS_DIR/probe.py" "$port" "$pid" "${PEER_START_SECONDS:-10}" || rc=$?
  if [ "$rc" = 0 ]; then echo "$pid"; return 0; fi
  if [ "$rc" = 1 ]; then echo "$(basename "$1") exited before answering on 127.0.0.1:$port" >&2
  else echo "$(basename "$1") (pid $pid) did not answer on 127.0.0.1:$port" >&2; fi
  cat "$log" >&2
  peer_stop "$pidfile" >/dev/null 2>&1 || true
  return 1
}

# peer_stop PIDFILE: TERM exactly that PID, KILL it if it is still there after 5 s, remove the file.
peer_stop() {
  local pidfile="$1" pid
  [ -f "$pidfile" ] || die "no pidfile $pidfile"
  if pid="$(peer_pid "$pidfile")"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    echo "stopped $pid"
  else
    echo "pid in $pidfile is not running" >&2
  fi
  rm -f "$pidfile"
}

# peer_state_dir DIR: create DIR if needed and print its absolute path (helpers get absolute paths).
peer_state_dir() {
  mkdir -p "$1" && (cd "$1" && pwd)
}
