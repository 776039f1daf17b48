#!/usr/bin/env bash
# Stops the BMC that start-pyghmi-bmc.sh started: exactly the PID in STATE_DIR/fake_bmc.pid.
#   stop-pyghmi-bmc.sh [PORT [STATE_DIR]]    same arguments as the start
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/peer-lib.sh"
PORT="${1:-9633}"
peer_stop "${2:-/tmp/pyghmi-bmc-$PORT}/fake_bmc.pid"
