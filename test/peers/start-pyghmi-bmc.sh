#!/usr/bin/env bash
# Starts the pyghmi test BMC (pyghmi/bmc.py, on Debian's python3-pyghmi) on 127.0.0.1, detached,
# and prints its PID once it answers IPMI.
#   start-pyghmi-bmc.sh [PORT [STATE_DIR]]   PORT: UDP, default 9633; STATE_DIR: default /tmp/pyghmi-bmc-PORT
# BMC_USER / BMC_PASSWORD (default admin / password) set its one user. The chassis starts off
# unless KEEP_STATE=1 (then the last power state is kept). Files in STATE_DIR: fake_bmc.pid,
# fake_bmc.log (one line per action), power.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/peer-lib.sh"

PORT="${1:-9633}"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "port must be a number: $PORT"
STATE="$(peer_state_dir "${2:-/tmp/pyghmi-bmc-$PORT}")"
"$PEER_PYTHON" -c 'import pyghmi.ipmi.bmc' 2>/dev/null || die "$PEER_PYTHON cannot import pyghmi: apt-get install python3-pyghmi"

if [ "${KEEP_STATE:-0}" != 1 ]; then
  if pid="$(peer_pid "$STATE/fake_bmc.pid")"; then die "already running: pid $pid"; fi
  rm -f "$STATE/power"
fi
BMC_USER="${BMC_USER:-admin}" BMC_PASSWORD="${BMC_PASSWORD:-password}" \
  peer_launch "$STATE/fake_bmc.pid" "$STATE/fake_bmc.log" "$PORT" \
  "$PEER_PYTHON" -u "$PEERS_DIR/pyghmi/bmc.py" --port "$PORT" --state "$STATE"
