#!/usr/bin/env bash
# Starts OpenIPMI's ipmi_sim (Debian package openipmi) as a test BMC on 127.0.0.1, detached, and
# prints its PID once it answers IPMI. What it emulates is described in ipmi_sim/configure.py.
#   start-ipmi-sim.sh [PORT [STATE_DIR]]     PORT: UDP, default 9623; emulator console on TCP PORT+1
#                                            STATE_DIR: default /tmp/ipmi-sim-PORT
# The state is reset on every start (sensor readings, power, logs, LAN settings) unless
# KEEP_STATE=1, which keeps it across a restart. Files in STATE_DIR: ipmi_sim.pid, ipmi_sim.log,
# lan.conf, sim.emu, power, chassis.log, sensors/1..5, lan/, lan.log, persist/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/peer-lib.sh"

PORT="${1:-9623}"
[[ "$PORT" =~ ^[0-9]+$ ]] || die "port must be a number: $PORT"
STATE="$(peer_state_dir "${2:-/tmp/ipmi-sim-$PORT}")"
[ -x /usr/bin/ipmi_sim ] || die "/usr/bin/ipmi_sim is missing: apt-get install openipmi"

if [ "${KEEP_STATE:-0}" != 1 ]; then
  if pid="$(peer_pid "$STATE/ipmi_sim.pid")"; then die "already running: pid $pid"; fi
  # Only what this script and the helpers create: STATE_DIR may be a folder with other things in it.
  rm -rf "$STATE/sensors" "$STATE/lan" "$STATE/persist"
  rm -f "$STATE/power" "$STATE/boot" "$STATE/chassis.log" "$STATE/lan.log" "$STATE/ipmi_sim.log"
fi
"$PEER_PYTHON" "$PEERS_DIR/ipmi_sim/configure.py" "$STATE" "$PORT"

# -n: no console on stdio; -p: nothing persisted (users, SEL and SDRs come from the files each time)
peer_launch "$STATE/ipmi_sim.pid" "$STATE/ipmi_sim.log" "$PORT" \
  /usr/bin/ipmi_sim -n -p -c "$STATE/lan.conf" -f "$STATE/sim.emu" -s "$STATE/persist"
