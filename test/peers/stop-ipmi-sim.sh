#!/usr/bin/env bash
# Stops the ipmi_sim that start-ipmi-sim.sh started: exactly the PID in STATE_DIR/ipmi_sim.pid.
#   stop-ipmi-sim.sh [PORT [STATE_DIR]]      same arguments as the start
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/peer-lib.sh"
PORT="${1:-9623}"
peer_stop "${2:-/tmp/ipmi-sim-$PORT}/ipmi_sim.pid"
